//go:build !linux && !darwin

package handoff

import (
	"context"
	"net"
)

// Listen reports ErrUnsupported: this system has no socket whose peer can
// be checked, so perenos serve runs without taking handed commands.
func Listen(dir string) (net.Listener, error) { return nil, ErrUnsupported }

func dial(ctx context.Context, path string) (net.Conn, error) { return nil, ErrUnsupported }

func checkPeer(c net.Conn) error { return ErrUnsupported }
