"""Citations shared by the X12 structure rules."""

TR3 = "ASC X12N 005010X222A1 (837P) TR3"
CONTROL = "ASC X12 005010 control structures"
