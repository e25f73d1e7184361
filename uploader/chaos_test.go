package uploader_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"perenos/portal"
	"perenos/portal/server"
	"perenos/store"
	"perenos/uploader"
)

// The chaos test's child process: one upload of the synthetic site into
// the workspace and portal named in the environment.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PERENOS_CHAOS_HOME"); dir != "" {
		if err := chaosChild(dir, os.Getenv("PERENOS_CHAOS_PORTAL")); err != nil {
			fmt.Fprintln(os.Stderr, "chaos child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const chaosItems, chaosFiles = 300, 60

var chaosOrg = &store.Org{ID: "3801012345", PortalSite: "chaos"}

func chaosChild(dir, base string) error {
	ctx := context.Background()
	ws, err := store.Open(ctx, dir, store.Options{Command: "chaos child"})
	if err != nil {
		return err
	}
	defer ws.Close()
	client := uploader.NewPortal(base, map[string]string{"chaos": server.TestToken("chaos")},
		uploader.PortalOptions{Retry: uploader.RetryOptions{BaseDelay: 5 * time.Millisecond, MaxDelay: 100 * time.Millisecond, MaxAttempts: 8}})
	id, _ := uploader.AsIdentifier(client)
	info, err := id.Identity(ctx)
	if err != nil {
		return err
	}
	known, err := ws.IDMap(chaosOrg.ID, store.PortalID(info.ID))
	if err != nil {
		return err
	}
	ops := uploader.SyntheticSite(chaosOrg.ID, chaosItems, chaosFiles)
	rep, err := uploader.MakePlan(store.PortalID(info.ID), ops, known, uploader.Options{}).Execute(ctx, ws, client, chaosOrg, uploader.ExecOptions{Concurrency: 8})
	if err != nil {
		return err
	}
	if rep.Failed > 0 {
		return fmt.Errorf("%d items failed, first: %s", rep.Failed, rep.Errors[0].Err)
	}
	return nil
}

// TestChaosUploadKilledAndResumed uploads a site to a portal that fails
// 20% of requests, drops 5% of connections and rate-limits, kills the
// uploader with SIGKILL at random moments, restarts it, and then counts
// what the portal holds.
func TestChaosUploadKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos test skipped in -short mode")
	}
	ctx := context.Background()
	hs, srv := server.TestServer(t, server.Config{RatePerSecond: 200, Burst: 10,
		Faults: server.Faults{FailRate: 0.2, ResetRate: 0.05}}, "chaos")
	home := t.TempDir()
	run := func(killAfter time.Duration) (killed bool, err error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PERENOS_CHAOS_HOME="+home, "PERENOS_CHAOS_PORTAL="+hs.URL)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return false, err
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if killAfter > 0 {
			select {
			case err := <-done:
				return false, childErr(err, stderr.String())
			case <-time.After(killAfter):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				return true, nil
			}
		}
		return false, childErr(<-done, stderr.String())
	}
	kills := 0
	for i := 0; i < 6; i++ {
		killed, err := run(time.Duration(50+rand.IntN(400)) * time.Millisecond)
		if err != nil {
			t.Logf("run %d ended with failures (the next run retries them): %v", i, err)
		}
		if killed {
			kills++
		}
	}
	var err error
	for i := 0; i < 5; i++ {
		if _, err = run(0); err == nil {
			break
		}
		t.Logf("finishing run %d: %v", i, err)
	}
	if err != nil {
		t.Fatalf("the upload never finished: %v", err)
	}
	if kills < 2 {
		t.Logf("only %d of 6 runs were killed before they finished", kills)
	}

	// Count what the portal holds against the plan.
	ops := uploader.SyntheticSite(chaosOrg.ID, chaosItems, chaosFiles)
	want := map[portal.Kind][]string{}
	for _, o := range ops {
		want[o.Kind] = append(want[o.Kind], o.Key)
	}
	srv.SetFaults(server.Faults{}, 0)
	clean := uploader.NewClient(hs.URL, map[string]string{"chaos": server.TestToken("chaos")}, uploader.ClientOptions{})
	for kind, keys := range want {
		got, err := clean.List(ctx, "chaos", kind)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(keys)
		if !slices.Equal(got, keys) {
			t.Errorf("%s: the portal holds %d keys, the plan %d", kind, len(got), len(keys))
		}
	}
	objects, files, created, err := srv.Counts("chaos")
	if err != nil {
		t.Fatal(err)
	}
	if objects != len(ops)-chaosFiles || files != chaosFiles || created != uint64(objects) {
		t.Errorf("portal: %d objects (%d ever created), %d files; plan: %d objects, %d files", objects, created, files, len(ops)-chaosFiles, chaosFiles)
	}
	for _, o := range ops {
		if o.Kind != portal.KindFile {
			continue
		}
		rc, err := clean.GetFile(ctx, "chaos", o.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		orc, _ := o.File.Open()
		orig, _ := io.ReadAll(orc)
		if !bytes.Equal(got, orig) {
			t.Errorf("file %s differs on the portal", o.Key)
		}
	}
	diffs, err := uploader.Verify(ctx, clean, chaosOrg, ops)
	if err != nil || len(diffs) > 0 {
		t.Fatalf("verify after chaos: %v %v", diffs, err)
	}
	// The portal was empty: the ledger must know that perenos created every
	// item (so rollback may remove it), even those whose 201 was lost to a kill.
	ws, err := store.Open(ctx, home, store.Options{Command: "chaos check"})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	ids, err := ws.IDMap(chaosOrg.ID, store.PortalID(srv.ID()))
	if err != nil {
		t.Fatal(err)
	}
	notCreated := 0
	for _, e := range ids {
		if !e.Created || e.Status != store.ItemImported {
			notCreated++
		}
	}
	if len(ids) != len(ops) || notCreated > 0 {
		t.Errorf("ID map: %d entries for %d items, %d not marked as created by perenos", len(ids), len(ops), notCreated)
	}
	t.Logf("%d runs killed; %d objects and %d files on the portal, each created once", kills, objects, files)
}

func childErr(err error, stderr string) error {
	if err != nil {
		return fmt.Errorf("%v: %s", err, stderr)
	}
	return nil
}
