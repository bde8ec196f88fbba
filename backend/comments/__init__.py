"""Comments: questions and answers on a mission or an expense claim, outside its circuit."""
