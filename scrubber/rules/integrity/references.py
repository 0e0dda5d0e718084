"""Citations and constants shared by the claim integrity rules."""

TR3 = "ASC X12N 005010X222A1 (837P) TR3"
NPI_STANDARD = "45 CFR 162.406 (NPI); CMS NPI check digit: Luhn formula with the 80840 prefix"
