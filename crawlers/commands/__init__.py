"""Project commands (COMMANDS_MODULE): ``crawl`` checks a spider's arguments before the crawl starts."""
