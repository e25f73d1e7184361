//go:build !linux

package server

import (
	"context"
	"time"
)

// sleep waits d, or until ctx is done (false).
func sleep(ctx context.Context, d time.Duration) bool { return sleepTimer(ctx, d) }
