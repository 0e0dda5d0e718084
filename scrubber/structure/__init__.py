"""The TR3 structure check: pyx12 behind one adapter, its findings handed to the claims."""
