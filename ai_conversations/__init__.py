"""The assistant: AI conversations, the offline engine and the LLM provider."""
