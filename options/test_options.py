"""Options of test.py (original: options/test_options.py, TestOptions): one sample at a time, in order, from the test split."""
from options.base_options import BaseOptions


class TestOptions(BaseOptions):
    __test__ = False  # not a pytest class
    phase_name = "test"
    is_train = False

    def initialize(self, parser):
        parser = super().initialize(parser)
        parser.add_argument("--results_dir", type=str, default="./eval_results/", help="where generated images go")
        parser.set_defaults(serial_batches=True, phase="test", batchSize=1)
        return parser
