"""The Runtime's realms: Content, Insights and Journey. They execute; they never chat."""
