"""A digital credential for a completed module: an Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable
Credential), with the level in the European Digital Credentials vocabulary, signed with Ed25519.

The proof follows the W3C "Data Integrity EdDSA Cryptosuites v1.0" suite `eddsa-jcs-2022`: the signature covers
SHA-256(JCS(proof options)) followed by SHA-256(JCS(credential without proof)), where JCS is the JSON
Canonicalization Scheme (RFC 8785); the proof value is multibase base58btc ("z..."). Our credentials contain no
fractional numbers, so JCS is Python's sorted, compact JSON (keys are ASCII); a credential with a fractional number
is not one of ours and fails verification.

The learner is named, and identified by a salted SHA-256 hash of their resident ID (never the BSN: a hash of a
BSN can be found by trying every BSN), as Open Badges 3.0's IdentityObject describes.

The key: `LEVENLANG_CREDENTIAL_SIGNING_KEY` (the 32-byte Ed25519 private key, base64), required outside demo mode.
In demo and development, a key is generated on first use and kept in `var/credential-signing-key.pem`. Keys used
before (after a rotation) stay trusted for verification through `LEVENLANG_CREDENTIAL_TRUSTED_KEYS` (comma-separated
did:key identifiers).
"""

import base64
import datetime
import hashlib
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from levenlang.core.parsing import ParseError, load_json

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
CRYPTOSUITE = "eddsa-jcs-2022"
_ED25519_MULTICODEC = b"\xed\x01"
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


# --- encodings --------------------------------------------------------------------------------------------------------


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            raise ValueError("not base58")
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


class NotCanonical(ValueError):
    pass


def _no_floats(value) -> None:
    if isinstance(value, float):
        raise NotCanonical
    if isinstance(value, dict):
        for item in value.values():
            _no_floats(item)
    elif isinstance(value, list):
        for item in value:
            _no_floats(item)


def jcs(value) -> bytes:
    """RFC 8785 canonical JSON for documents without fractional numbers and with ASCII keys."""
    _no_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def did_key(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "did:key:z" + b58encode(_ED25519_MULTICODEC + raw)


def public_key_of(did: str) -> Ed25519PublicKey | None:
    if not did.startswith("did:key:z"):
        return None
    try:
        raw = b58decode(did[len("did:key:z") :])
    except ValueError:
        return None
    if len(raw) != 34 or raw[:2] != _ED25519_MULTICODEC:
        return None
    return Ed25519PublicKey.from_public_bytes(raw[2:])


# --- the key ----------------------------------------------------------------------------------------------------------


def _key_file() -> Path:
    return Path(settings.VAR_DIR) / "credential-signing-key.pem"


@cache
def signing_key() -> Ed25519PrivateKey:
    configured = settings.CREDENTIAL_SIGNING_KEY.strip()
    if configured:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(configured))
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("Set LEVENLANG_CREDENTIAL_SIGNING_KEY (base64 Ed25519 key) to issue credentials.")
    path = _key_file()
    if not path.exists():  # first use in demo or development: make one; a second process that races us reads it
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(pem)
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)  # fails when another process was first
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured(f"{path} does not hold an Ed25519 key.")
    return key


def issuer_did() -> str:
    return did_key(signing_key().public_key())


def trusted_dids() -> set[str]:
    return {issuer_did(), *settings.CREDENTIAL_TRUSTED_KEYS}


# --- issue ------------------------------------------------------------------------------------------------------------


def _hash_data(document: dict, proof_options: dict) -> bytes:
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    options = {**proof_options, "@context": document.get("@context")}
    return hashlib.sha256(jcs(options)).digest() + hashlib.sha256(jcs(unsigned)).digest()


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def issue(enrolment, now: datetime.datetime) -> dict:
    """The signed credential for a completed enrolment."""
    module, provider, resident = enrolment.module, enrolment.provider, enrolment.resident
    did = issuer_did()
    salt = secrets.token_hex(16)
    skills = [str(s) for s in module.skills]
    achievement = {
        "id": f"urn:uuid:{module.uuid}",
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": module.title_nl or module.title_en,
        "description": (module.description_nl or module.description_en or module.title_nl or module.title_en)[:1000],
        "criteria": {"narrative": "Module gevolgd; afronding gemeld door de opleider en bevestigd door de deelnemer."},
        "creator": {"id": f"urn:kvk:{provider.kvk_number}", "type": ["Profile"], "name": provider.name},
        "tag": skills,
        "alignment": [
            {"type": ["Alignment"], "targetName": s, "targetUrl": s, "targetFramework": "ESCO"}
            for s in skills
            if s.startswith(("http://", "https://"))
        ],
    }
    level = module.level
    if level.startswith("eqf_"):
        # The EQF level in the European Digital Credentials vocabulary (data.europa.eu/snb/eqf).
        achievement["educationalLevel"] = f"http://data.europa.eu/snb/eqf/{level.removeprefix('eqf_')}"
    if level:
        achievement["level"] = level
    document = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": did, "type": ["Profile"], "name": "Levenlang"},
        "validFrom": _utc(now),
        "name": module.title_nl or module.title_en,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityType": "identifier",
                    "hashed": True,
                    "identityHash": "sha256$" + hashlib.sha256(f"{resident.uuid}{salt}".encode()).hexdigest(),
                    "salt": salt,
                },
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": str(resident)},
            ],
            "activityEndDate": _utc(now),
            "achievement": achievement,
        },
    }
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": _utc(now),
        "verificationMethod": f"{did}#{did.removeprefix('did:key:')}",
        "proofPurpose": "assertionMethod",
    }
    signature = signing_key().sign(_hash_data(document, proof))
    return {**document, "proof": {**proof, "proofValue": "z" + b58encode(signature)}}


# --- verify -----------------------------------------------------------------------------------------------------------


@dataclass
class Verification:
    valid: bool
    reasons: list[str] = field(default_factory=list)
    summary: dict = field(default_factory=dict)


def _summary(document: dict) -> dict:
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    names = [i.get("identityHash") for i in subject.get("identifier") or [] if i.get("identityType") == "name"]
    return {
        "learner": names[0] if names else "",
        "module": achievement.get("name", ""),
        "provider": (achievement.get("creator") or {}).get("name", ""),
        "level": achievement.get("level", ""),
        "skills": achievement.get("tag", []),
        "date": str(document.get("validFrom", ""))[:10],
    }


def verify(content: str | bytes | dict) -> Verification:
    """Check a credential: is it JSON, one of ours (signed with a key we trust), and unchanged since signing?"""
    if not isinstance(content, dict):
        try:
            content = load_json(content)  # a depth limit: 100,000 nested "[" is not a credential, nor a 500
        except ParseError:
            return Verification(False, [_("This is not a credential: the text is not valid JSON.")])
    if not isinstance(content, dict):
        return Verification(False, [_("This is not a credential: it is not a JSON object.")])
    proof = content.get("proof")
    if not isinstance(proof, dict) or not isinstance(proof.get("proofValue"), str):
        return Verification(False, [_("The credential has no signature (proof).")])
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        return Verification(False, [_("The signature is of a kind we do not issue (expected eddsa-jcs-2022).")])
    method = str(proof.get("verificationMethod", ""))
    did = method.split("#", 1)[0]
    summary = _summary(content)
    # A trusted DID that holds no Ed25519 key (a mistake in CREDENTIAL_TRUSTED_KEYS) verifies nothing.
    public_key = public_key_of(did) if did in trusted_dids() else None
    if public_key is None or (content.get("issuer") or {}).get("id") != did:
        return Verification(False, [_("The credential was not signed by Levenlang's key.")], summary)
    try:
        signature = b58decode(proof["proofValue"].removeprefix("z"))
        options = {k: v for k, v in proof.items() if k != "proofValue"}
        public_key.verify(signature, _hash_data(content, options))
    except NotCanonical:
        return Verification(False, [_("The credential contains a fractional number; ours never do.")], summary)
    except (InvalidSignature, ValueError):
        return Verification(
            False, [_("The signature does not match the content: the credential was changed after signing.")], summary
        )
    return Verification(
        True, [_("The signature is valid: Levenlang issued this credential and it is unchanged.")], summary
    )
