package main

import "errors"

// runNetwork is a placeholder until the network subcommand is built.
func runNetwork(args []string) error {
	return errors.New("not built yet")
}
