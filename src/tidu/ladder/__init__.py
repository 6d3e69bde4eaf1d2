"""我的梯度: a firm's live self-assessment against every standard, what-if, and the diagnosis PDF."""
