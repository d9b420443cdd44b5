"""Training: the CBOW and skip-gram networks over ``w2v.nn`` (``models``), the one training loop (``trainer``)
that this process's threads or Dask rounds (``distributed``) drive, the shared weights and each thread's private
hot rows (``hogwild``, ``rows``), the numba training kernels (``kernels``) and their compilation (``warmup``), the
training state a checkpoint keeps (``state``) and the callbacks (``callbacks``).

The only package that loads numba's training kernels; ``distributed`` is the only module that imports dask.

Example
-------
>>> from w2v.train.trainer import Trainer
>>> trainer = Trainer(config, vocab)  # doctest: +SKIP
"""
