print("ccgctl")
