/// The built-in corpus: English sentences about training models and everyday things, and
/// Chinese ones in the register of the seed's Chinese tutorials.
enum Corpus {
    static let sentences = [
        "A neural network learns by adjusting its weights to reduce the loss.",
        "The optimizer updates the parameters with the gradients after each batch.",
        "Convolutional networks are good at recognising objects in images.",
        "Save the model's weights to a safetensors file and load them later.",
        "The data loader shuffles the dataset and yields mini-batches.",
        "Dropout randomly zeroes activations during training to reduce overfitting.",
        "A man is eating a piece of bread.",
        "A woman is playing the violin on stage.",
        "The cat sleeps on the warm windowsill all afternoon.",
        "It will rain heavily in the city tomorrow.",
        "神经网络通过调整权重来减小损失。",
        "卷积神经网络在图像分类任务上表现很好。",
        "我们用小批量数据训练模型，每个批次都更新一次参数。",
        "今天天气很好，我们去公园散步吧。",
        "他在餐厅里吃了一碗面条。",
        "学习率太大时，训练会变得不稳定。",
    ]

    /// Run when no query is given: English ones, and Chinese ones that should find Chinese text.
    static let demoQueries = [
        "How do I store a trained model on disk?",
        "Someone is having a meal.",
        "What is the weather like?",
        "神经网络的训练",
        "天气很好",
    ]
}
