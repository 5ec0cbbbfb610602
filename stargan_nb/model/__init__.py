"""Stage 2, the model: StarGAN's networks, losses and label rules, and the graph one training iteration runs.

    ops              convolutions, instance norm, LeakyReLU, with PyTorch's padding and initialisation
    networks         the reference's Generator and PatchGAN Discriminator; G on placeholders (inference, .pb)
    losses           WGAN-GP, attribute classification, cycle reconstruction
    labels           create_labels, training targets, targets written by name, hair-colour exclusivity
    schedule         the paper's linear learning-rate decay
    training_graph   the D step and the fused D-then-G step, with the device's optimizer wrapping
"""
