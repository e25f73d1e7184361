package main

import (
	"context"
	"errors"
)

func runBenchZyte(ctx context.Context, g *globalOptions, dir, out string, asJSON bool) error {
	return errors.New("bench extract --zyte is not built yet")
}
