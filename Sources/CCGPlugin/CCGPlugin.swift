// CCGPlugin
