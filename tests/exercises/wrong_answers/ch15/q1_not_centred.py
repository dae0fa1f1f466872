# Divides by the raw sum of squares instead of the centred one: a constant offset changes the share.
def interaction_share(table):
    additive = table.mean(1, keepdim=True) + table.mean(0, keepdim=True) - table.mean((0, 1))
    return (table - additive).pow(2).sum() / table.pow(2).sum()
