import Testing
import SwiftTorch

/// `print(model)` against PyTorch 2.15's own text. Every expected string below was printed
/// by PyTorch (`print(repr(nn.Conv2d(1, 32, 3)))` and so on, on this machine's torch
/// 2.15.0) and pasted here unchanged.
@Suite("Module printing")
struct ModulePrintingTests {
    @Test("each layer prints its PyTorch extra_repr", arguments: [
        ({ @Sendable in Linear(784, 128) }, "Linear(in_features=784, out_features=128, bias=True)"),
        ({ @Sendable in Linear(3, 1, bias: false) }, "Linear(in_features=3, out_features=1, bias=False)"),
        ({ @Sendable in Conv2d(1, 32, kernelSize: 3) }, "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1))"),
        ({ @Sendable in Conv2d(1, 32, kernelSize: 3, padding: 1) }, "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"),
        ({ @Sendable in Conv2d(3, 8, kernelSize: [3, 5], stride: 2, padding: [1, 2], dilation: 2, bias: false) },
         "Conv2d(3, 8, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2), dilation=(2, 2), bias=False)"),
        ({ @Sendable in Conv2d(4, 8, kernelSize: 3, groups: 2) }, "Conv2d(4, 8, kernel_size=(3, 3), stride=(1, 1), groups=2)"),
        ({ @Sendable in BatchNorm1d(10) }, "BatchNorm1d(10, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
        ({ @Sendable in BatchNorm2d(16, eps: 1e-3, momentum: nil, affine: false, trackRunningStats: false) },
         "BatchNorm2d(16, eps=0.001, momentum=None, affine=False, bias=False, track_running_stats=False)"),
        ({ @Sendable in LayerNorm(10) }, "LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)"),
        ({ @Sendable in LayerNorm([4, 5], eps: 1e-6, elementwiseAffine: false) }, "LayerNorm((4, 5), eps=1e-06, elementwise_affine=False, bias=False)"),
        ({ @Sendable in LayerNorm(8, bias: false) }, "LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=False)"),
        ({ @Sendable in Dropout() }, "Dropout(p=0.5, inplace=False)"),
        ({ @Sendable in Dropout(p: 0.2) }, "Dropout(p=0.2, inplace=False)"),
        ({ @Sendable in MaxPool2d(kernelSize: 2) }, "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
        ({ @Sendable in MaxPool2d(kernelSize: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true) },
         "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)"),
        ({ @Sendable in MaxPool2d(kernelSize: [2, 3]) }, "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)"),
        ({ @Sendable in AvgPool2d(kernelSize: 2) }, "AvgPool2d(kernel_size=2, stride=2, padding=0)"),
        ({ @Sendable in AvgPool2d(kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false, divisorOverride: 2) },
         "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
        ({ @Sendable in Embedding(10, 3) }, "Embedding(10, 3)"),
        ({ @Sendable in Embedding(10, 3, paddingIdx: 0) }, "Embedding(10, 3, padding_idx=0)"),
        ({ @Sendable in Embedding(10, 3, paddingIdx: -1) }, "Embedding(10, 3, padding_idx=9)"),
        ({ @Sendable in Flatten() }, "Flatten(start_dim=1, end_dim=-1)"),
        ({ @Sendable in Flatten(startDim: 0, endDim: 2) }, "Flatten(start_dim=0, end_dim=2)"),
        ({ @Sendable in ReLU() }, "ReLU()"), ({ @Sendable in Sigmoid() }, "Sigmoid()"), ({ @Sendable in Tanh() }, "Tanh()"), ({ @Sendable in SiLU() }, "SiLU()"), ({ @Sendable in Identity() }, "Identity()"),
        ({ @Sendable in GELU() }, "GELU(approximate='none')"), ({ @Sendable in GELU(approximate: .tanh) }, "GELU(approximate='tanh')"),
        ({ @Sendable in Softmax(dim: 1) }, "Softmax(dim=1)"), ({ @Sendable in LogSoftmax(dim: -1) }, "LogSoftmax(dim=-1)"),
        ({ @Sendable in MSELoss() }, "MSELoss()"), ({ @Sendable in MSELoss(reduction: .sum) }, "MSELoss()"), ({ @Sendable in CrossEntropyLoss() }, "CrossEntropyLoss()"),
        ({ @Sendable in CrossEntropyLoss(labelSmoothing: 0.1) }, "CrossEntropyLoss()"), ({ @Sendable in NLLLoss() }, "NLLLoss()"), ({ @Sendable in BCEWithLogitsLoss() }, "BCEWithLogitsLoss()"),
    ] as [(@Sendable () -> Module, String)])
    func layer(_ make: @Sendable () -> Module, _ pytorch: String) {
        let module = make()
        #expect(module.description == pytorch)
        #expect("\(module)" == pytorch)
    }

    @Test("Sequential numbers its children and indents nested ones by two spaces")
    func nestedSequential() {
        let model = Sequential {
            Linear(784, 128)
            ReLU()
            Sequential {
                Linear(2, 2)
                Tanh()
            }
            Linear(128, 10)
        }
        #expect(model.description == """
            Sequential(
              (0): Linear(in_features=784, out_features=128, bias=True)
              (1): ReLU()
              (2): Sequential(
                (0): Linear(in_features=2, out_features=2, bias=True)
                (1): Tanh()
              )
              (3): Linear(in_features=128, out_features=10, bias=True)
            )
            """)
        #expect(Sequential([]).description == "Sequential()")
    }

    final class Net: Module {
        let flatten = Flatten()
        let blocks: [Module] = [Linear(2, 2), Linear(2, 2), ReLU(), Linear(2, 3)]
        let fc1 = Linear(784, 128)
        let empty = Sequential([])
        @Parameter var w: Tensor

        // A tensor made by a throwing factory is set in an initialiser that throws; its
        // name differs from `Module.init()`, which it therefore does not override.
        init(features: Int) throws {
            w = try Tensor.zeros([features])
            super.init()
        }
    }

    @Test("a model class names its children by property; an array prints as a ModuleList with repeats folded; parameters are not printed")
    func modelClass() throws {
        // PyTorch: the same class with `self.blocks = nn.ModuleList([...])` and an
        // `nn.Parameter` `w`.
        #expect(try Net(features: 3).description == """
            Net(
              (flatten): Flatten(start_dim=1, end_dim=-1)
              (blocks): ModuleList(
                (0-1): 2 x Linear(in_features=2, out_features=2, bias=True)
                (2): ReLU()
                (3): Linear(in_features=2, out_features=3, bias=True)
              )
              (fc1): Linear(in_features=784, out_features=128, bias=True)
              (empty): Sequential()
            )
            """)
    }
}
