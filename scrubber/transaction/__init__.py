"""837P knowledge: the grammar, the envelope/HL state machine and the walker that builds claims."""
