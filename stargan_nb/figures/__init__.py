"""Pictures of StarGAN's ideas, drawn from the config or the run at hand: the networks' blocks, the cycle,
the batch's label changes, the gradient penalty's interpolates, D's classifier beside the oracle, sample grids
over a run. They read runs and generators (the training stage's output), so they sit beside evaluation."""
