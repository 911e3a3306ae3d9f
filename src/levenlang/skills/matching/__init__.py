"""The skills matcher (docs/skills-matching.md): free text in, ESCO skills and occupations out.

`encoder` wraps the multilingual sentence encoder and its on-disk cache of label vectors, `engine` is the matcher
itself (pure numpy and scikit-learn, no database), and `store` builds the engine's index from the taxonomy tables
once per process. Other apps reach all of it through `skills.services`."""
