package main

import (
	"context"
	"errors"
)

func runBenchGold(ctx context.Context, g *globalOptions, dir string, asJSON bool) error {
	return errors.New("bench extract --gold is not built yet")
}
