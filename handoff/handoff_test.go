package handoff

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"
)

func listen(t *testing.T) (string, func(Handler)) {
	t.Helper()
	dir := t.TempDir()
	ln, err := Listen(dir)
	if errors.Is(err, ErrUnsupported) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan struct{})
	started := false
	t.Cleanup(func() {
		cancel()
		ln.Close()
		if started {
			<-served // Serve waits for its connections: none logs after the test
		}
	})
	return dir, func(h Handler) {
		started = true
		go func() {
			defer close(served)
			Serve(ctx, ln, h, func(err error) { t.Log(err) })
		}()
	}
}

func TestCallCarriesTheRequestAndTheOutput(t *testing.T) {
	dir, serve := listen(t)
	st, err := os.Stat(Path(dir))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v %v: it must be the owner's only", st.Mode(), err)
	}
	binary := []byte{0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe, 0x00, 0x80} // a workbook's first bytes are not UTF-8
	serve(func(ctx context.Context, req Request, stdout, stderr io.Writer) Result {
		if req.Command != "act sign" || string(req.Options) != `{"Scan":"/abs/scan.pdf"}` || req.Actor != "operator:a" {
			return Result{Exit: 1, Message: "wrong request"}
		}
		stdout.Write(binary)
		stderr.Write([]byte("подписано\n"))
		return Result{Exit: 3, Message: "some failed", Hint: "re-run"}
	})
	var out, errOut bytes.Buffer
	handled, res, err := Call(context.Background(), dir, Request{Command: "act sign", Options: []byte(`{"Scan":"/abs/scan.pdf"}`), Actor: "operator:a"}, &out, &errOut)
	if !handled || err != nil {
		t.Fatalf("Call: %v %v", handled, err)
	}
	if res.Exit != 3 || res.Hint != "re-run" || !bytes.Equal(out.Bytes(), binary) || errOut.String() != "подписано\n" {
		t.Fatalf("result %+v, stdout %q, stderr %q", res, out.Bytes(), errOut.String())
	}
}

func TestCallWithoutAServer(t *testing.T) {
	handled, _, err := Call(context.Background(), t.TempDir(), Request{Command: "orgs list"}, io.Discard, io.Discard)
	if handled || err != nil {
		t.Fatalf("no server: handled %v, %v", handled, err)
	}
}

func TestClientHangUpStopsTheCommand(t *testing.T) {
	dir, serve := listen(t)
	stopped := make(chan struct{})
	serve(func(ctx context.Context, req Request, stdout, stderr io.Writer) Result {
		stdout.Write([]byte("started\n"))
		<-ctx.Done()
		close(stopped)
		return Result{}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var out bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, _, err := Call(ctx, dir, Request{Command: "crawl"}, &out, io.Discard)
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	cancel() // Ctrl-C on the client
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("the server's command did not stop when the client hung up")
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Call after cancel: %v", err)
	}
}
