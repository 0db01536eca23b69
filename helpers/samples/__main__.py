"""`python -m helpers.samples`: write the sample files again (they must come out byte for byte the same)."""

from . import write

write()
