print("ccgd")
