//go:build linux || darwin

package handoff

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// Listen opens the workspace's owner-only socket. A socket left by a
// killed server is replaced; one that answers means another server runs.
func Listen(dir string) (net.Listener, error) {
	path := Path(dir)
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return nil, fmt.Errorf("another perenos serve already answers on %s", path)
	}
	_ = os.Remove(path) // left by a killed server; the ledger lock is ours, so no one else uses it
	old := unix.Umask(0o177)
	ln, err := net.Listen("unix", path)
	unix.Umask(old)
	if err != nil {
		return nil, fmt.Errorf("command socket %s: %w", path, err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("command socket %s: %w", path, err)
	}
	return ln, nil
}

func dial(ctx context.Context, path string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "unix", path)
}

// checkPeer refuses a connection from another user.
func checkPeer(c net.Conn) error {
	uc, ok := c.(*net.UnixConn)
	if !ok {
		return fmt.Errorf("handed command over %T, not a unix socket", c)
	}
	raw, err := uc.SyscallConn()
	if err != nil {
		return err
	}
	var uid int
	var perr error
	if err := raw.Control(func(fd uintptr) { uid, perr = peerUID(int(fd)) }); err != nil {
		return err
	}
	if perr != nil {
		return fmt.Errorf("peer credentials: %w", perr)
	}
	if uid != os.Getuid() {
		return fmt.Errorf("refused a command from uid %d: only the workspace's owner may hand commands over", uid)
	}
	return nil
}
