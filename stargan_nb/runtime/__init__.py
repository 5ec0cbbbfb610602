"""Where the workbook runs: TensorFlow versions, devices, the workbook's root folder, files written whole.

    tfcompat   `tf` for every module: graph mode through tf.compat.v1 on TF 1.15 and TF 2.x
    device     NPU / GPU / CPU detection, each one's session config and optimizer wrapping
    cpu        the CPU's model name and whether it has bf16 instructions
    paths      relative paths taken from the workbook root, wherever a kernel runs
    atomic     files written to a temporary name, then renamed
"""
