# Subtracts the wrong way round: this is the gate of modality 2.
def gate_as_sigmoid(a1, a2):
    return a2 - a1
