print("minipg")
