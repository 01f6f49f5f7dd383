package main

// partCommands are the subcommands of the domain parts (routing, dialer, qa, analytics).
func partCommands() []command { return nil }

// partBenches are the benchmarks of the domain parts, by name.
func partBenches() map[string]benchFunc { return map[string]benchFunc{} }
