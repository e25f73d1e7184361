package store

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func addOrg(t *testing.T, ws *Workspace, id string, legacy string) {
	t.Helper()
	if _, err := ws.UpsertOrg("test", Org{ID: id, Name: "Школа " + id, Type: School, LegacyURL: legacy, PortalSite: "s" + id}); err != nil {
		t.Fatal(err)
	}
}

func TestStateMachine(t *testing.T) {
	ws := TestStore(t)
	addOrg(t, ws, "1", "http://old.example/")
	steps := []struct {
		stage   Stage
		wantErr bool
		state   State
	}{
		{StageUpload, true, Registered},  // cannot jump ahead
		{StageExtract, true, Registered}, // not crawled yet
		{StageCrawl, false, Crawled},
		{StageExtract, false, Extracted},
		{StageMap, false, Mapped},
		{StageApprove, true, Mapped}, // review comes first
		{StageReview, false, InReview},
		{StageApprove, false, Approved},
		{StageUpload, false, Uploaded},
		{StageVerify, false, Verified},
		{StageMap, false, Mapped},    // re-run moves back
		{StageVerify, true, Mapped},  // and the way forward is the pipeline again
		{StageCrawl, false, Crawled}, // re-run from any later state
		{StageSign, true, Crawled},
	}
	for i, s := range steps {
		err := ws.Advance("1", s.stage, "test", "")
		if (err != nil) != s.wantErr {
			t.Fatalf("step %d (%s): err = %v, want error %v", i, s.stage, err, s.wantErr)
		}
		var te *TransitionError
		if err != nil && !errors.As(err, &te) {
			t.Fatalf("step %d: error %v is not a TransitionError", i, err)
		}
		o, _ := ws.Org("1")
		if o.State != s.state {
			t.Fatalf("step %d (%s): state %s, want %s", i, s.stage, o.State, s.state)
		}
	}
	evs, err := ws.Events("1")
	if err != nil {
		t.Fatal(err)
	}
	// import + 9 successful transitions
	if len(evs) != 10 {
		t.Fatalf("%d events, want 10: %+v", len(evs), evs)
	}
	back := evs[len(evs)-2]
	if back.From != string(Verified) || back.To != string(Mapped) || !strings.Contains(back.Reason, "re-run") {
		t.Fatalf("re-run event not logged as such: %+v", back)
	}
}

func TestFailAndRerun(t *testing.T) {
	ws := TestStore(t)
	addOrg(t, ws, "1", "http://old.example/")
	must(t, ws.Advance("1", StageCrawl, "t", ""))
	must(t, ws.Fail("1", StageExtract, "t", errors.New("boom")))
	o, _ := ws.Org("1")
	if o.State != Failed || o.FailedAt != StageExtract || o.Error != "boom" {
		t.Fatalf("failed org: %+v", o)
	}
	if err := ws.Advance("1", StageMap, "t", ""); err == nil {
		t.Fatal("a stage after the failed one ran")
	}
	must(t, ws.Advance("1", StageExtract, "t", "retry"))
	if o, _ := ws.Org("1"); o.State != Extracted || o.Error != "" {
		t.Fatalf("after re-run: %+v", o)
	}
}

func TestNoLegacySiteGoesStraightToMapping(t *testing.T) {
	ws := TestStore(t)
	addOrg(t, ws, "1", "")
	if err := ws.Advance("1", StageCrawl, "t", ""); err == nil {
		t.Fatal("crawl allowed for an organisation without a site")
	}
	must(t, ws.Advance("1", StageMap, "t", "no legacy site"))
}

func TestReimportUpdatesNotDuplicates(t *testing.T) {
	ws := TestStore(t)
	addOrg(t, ws, "1", "http://a/")
	must(t, ws.Advance("1", StageCrawl, "t", ""))
	r, err := ws.UpsertOrg("t", Org{ID: "1", Name: "Школа 1", Type: School, LegacyURL: "http://b/", PortalSite: "s1"})
	must(t, err)
	if r != OrgUpdated {
		t.Fatalf("result %v, want updated", r)
	}
	orgs, _ := ws.Orgs()
	if len(orgs) != 1 || orgs[0].LegacyURL != "http://b/" || orgs[0].State != Crawled {
		t.Fatalf("after re-import: %+v", orgs)
	}
}

func TestLockedWorkspace(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(context.Background(), dir, Options{Command: "perenos crawl"})
	must(t, err)
	defer ws.Close()
	start := time.Now()
	_, err = Open(context.Background(), dir, Options{Command: "perenos map"})
	took := time.Since(start)
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want a LockedError", err)
	}
	if took > 2*time.Second {
		t.Fatalf("second open took %v; it must fail within about a second", took)
	}
	if !strings.Contains(err.Error(), filepath.Join(dir, LedgerFile)) || !strings.Contains(err.Error(), "perenos crawl") {
		t.Fatalf("error does not name the file and the holder: %v", err)
	}
}

// TestLockedWorkspaceOtherProcess holds the lock in a child process.
func TestLockedWorkspaceOtherProcess(t *testing.T) {
	if dir := os.Getenv("PERENOS_TEST_HOLD"); dir != "" {
		ws, err := Open(context.Background(), dir, Options{Command: "perenos holder"})
		if err != nil {
			os.Exit(2)
		}
		os.WriteFile(filepath.Join(dir, "held"), nil, 0o600)
		time.Sleep(20 * time.Second)
		ws.Close()
		os.Exit(0)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLockedWorkspaceOtherProcess$")
	cmd.Env = append(os.Environ(), "PERENOS_TEST_HOLD="+dir)
	must(t, cmd.Start())
	defer cmd.Process.Kill()
	for i := 0; ; i++ {
		if _, err := os.Stat(filepath.Join(dir, "held")); err == nil {
			break
		}
		if i > 200 {
			t.Fatal("child never took the lock")
		}
		time.Sleep(25 * time.Millisecond)
	}
	_, err := Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "perenos holder") {
		t.Fatalf("open while another process holds it: %v", err)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ws := TestStore(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ws.Log(Event{Org: "x", Kind: EventEdit, Reason: "write"})
		}
	})
	out := filepath.Join(t.TempDir(), "backup.db")
	_, err := ws.Backup(out)
	close(stop)
	wg.Wait()
	must(t, err)
	db, err := bolt.Open(out, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	must(t, err)
	defer db.Close()
	must(t, db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bOrgs) == nil || tx.Bucket(bEvents) == nil {
			t.Fatal("backup lacks the ledger's buckets")
		}
		return nil
	}))
}

func TestFrontierAndPages(t *testing.T) {
	ws := TestStore(t)
	added, err := ws.Enqueue("1", []Pending{{URL: "http://a/"}, {URL: "http://a/x"}, {URL: "http://a/"}})
	must(t, err)
	if len(added) != 2 {
		t.Fatalf("added %d, want 2 (duplicates within a batch are one)", len(added))
	}
	_, _, err = ws.FinishPage("1", Finish{Page: Page{URL: "http://a/", Kind: KindPage, Status: 200}, Room: -1})
	must(t, err)
	added, err = ws.Enqueue("1", []Pending{{URL: "http://a/", Ref: Ref{URL: "http://a/x", Anchor: "Главная"}}})
	must(t, err)
	if len(added) != 0 {
		t.Fatal("a fetched URL was queued again")
	}
	p, err := ws.Page("1", "http://a/")
	must(t, err)
	if len(p.Referrers) != 1 || p.Referrers[0].Anchor != "Главная" {
		t.Fatalf("referrer not recorded: %+v", p.Referrers)
	}
	front, _ := ws.Frontier("1")
	if len(front) != 1 || front[0].URL != "http://a/x" {
		t.Fatalf("frontier %+v", front)
	}
}

func TestBlobs(t *testing.T) {
	ws := TestStore(t)
	id, n, err := ws.Blobs.Put(strings.NewReader("устав"), 0)
	must(t, err)
	if n != int64(len("устав")) || !ws.Blobs.Has(id) {
		t.Fatal("blob not stored")
	}
	if _, _, err := ws.Blobs.Put(strings.NewReader("0123456789"), 5); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over-limit blob: %v", err)
	}
	back, err := ParseBlobID(id.String())
	must(t, err)
	if back != id {
		t.Fatal("blob id round trip")
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A registry update that moves a site whose act is signed to another
// portal site is refused unless forced, and a forced move is recorded as
// such (issue 16 item 9).
func TestUpsertRefusesToMoveASignedSite(t *testing.T) {
	ws := TestStore(t)
	o := Org{ID: "3801012345", Name: "Школа", Type: School, PortalSite: "sh7"}
	if _, err := ws.UpsertOrg("test", o); err != nil {
		t.Fatal(err)
	}
	for _, st := range []Stage{StageMap, StageReview, StageApprove, StageUpload, StageVerify, StageAct, StageSign} {
		if err := ws.Advance(o.ID, st, "test", ""); err != nil {
			t.Fatal(err)
		}
	}
	moved := o
	moved.PortalSite, moved.Name = "sh7-new", "Школа № 7"
	_, err := ws.UpsertOrg("test", moved)
	var sm *SignedMoveError
	if !errors.As(err, &sm) || !errors.Is(err, ErrMovesSigned) || sm.From != "sh7" || sm.To != "sh7-new" || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("moving a signed site: %v", err)
	}
	if cur, _ := ws.Org(o.ID); cur.PortalSite != "sh7" || cur.Name != "Школа" {
		t.Fatalf("a refused update changed the row: %+v", cur)
	}
	renamed := o
	renamed.Name = "Школа № 7"
	if r, err := ws.UpsertOrg("test", renamed); err != nil || r != OrgUpdated {
		t.Fatalf("a signed site's other fields still update: %v %v", r, err)
	}
	r, err := ws.UpsertOrgWith("test", moved, UpsertOptions{Force: true})
	if err != nil || r != OrgForced {
		t.Fatalf("a forced move: %v %v", r, err)
	}
	evs, _ := ws.Events(o.ID)
	if last := evs[len(evs)-1]; !strings.Contains(last.Reason, "portal_site moved from sh7 to sh7-new") || !strings.Contains(last.Reason, "--force") {
		t.Fatalf("the forced move's event: %+v", last)
	}
	// Another test of signed: an earlier signed act while the site is re-migrated.
	back := Org{ID: "3801099999", Name: "Больница", Type: Medical, PortalSite: "m1"}
	ws.UpsertOrg("test", back)
	back.PortalSite = "m2"
	signed := func(Reader, *Org) bool { return true }
	if _, err := ws.UpsertOrgWith("test", back, UpsertOptions{Signed: signed}); !errors.Is(err, ErrMovesSigned) {
		t.Fatalf("the Signed test is not asked: %v", err)
	}
}
