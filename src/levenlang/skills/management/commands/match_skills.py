"""Match texts to ESCO skills or occupations: `manage.py match_skills --kind skills|occupations --top N`.

Reads one text per line on standard input and writes, per line, a JSON array of the best ESCO URIs, best first
(an empty line gives `[]`). The same matcher as the pages (skills.services.match_text), for advisers' bulk work
and the benchmarks. `--details` writes objects with the label, score and sentence instead of bare URIs."""

import json
import sys
from dataclasses import asdict

from django.core.management.base import BaseCommand

from levenlang.skills import services


class Command(BaseCommand):
    help = "Match texts (one per line on standard input) to ESCO skills or occupations; one JSON array per line."
    stealth_options = ("stdin",)  # call_command(..., stdin=...) in tests

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=services.MATCH_KINDS, default="skills")
        parser.add_argument("--top", type=int, default=10, help="how many per text (default 10)")
        parser.add_argument(
            "--language", choices=["nl", "en"], help="for texts that do not show their language, and the labels"
        )
        parser.add_argument("--details", action="store_true", help="objects (uri, label, score, sentence)")

    def handle(self, *args, kind: str, top: int, language: str | None, details: bool, **options):
        stdin = options.get("stdin") or sys.stdin
        for line in stdin:
            found = services.match_text(line, kind=kind, top=top, language=language)
            out = [asdict(match) for match in found] if details else [match.uri for match in found]
            self.stdout.write(json.dumps(out, ensure_ascii=False))
