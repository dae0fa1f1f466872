# Subtracts the grand mean once too few times in the additive part.
def interaction_share(table):
    centred = table - table.mean((0, 1))
    additive = table.mean(1, keepdim=True) + table.mean(0, keepdim=True) - table.mean((0, 1))
    return (centred - additive).pow(2).sum() / centred.pow(2).sum()
