package server

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func testCommitter(t *testing.T) *committer {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "c.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("b")); return err }); err != nil {
		t.Fatal(err)
	}
	return &committer{db: db}
}

func putKey(k string) func(*bolt.Tx) error {
	return func(tx *bolt.Tx) error { return tx.Bucket([]byte("b")).Put([]byte(k), []byte("v")) }
}

// waitQueued waits until n writes wait for the next commit.
func waitQueued(t *testing.T, c *committer, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		c.mu.Lock()
		q := len(c.queue)
		c.mu.Unlock()
		if q == n {
			return
		}
	}
	t.Fatalf("%d writes never queued", n)
}

// Writes that arrive while a commit is under way share the next
// transaction instead of taking one each; a write that fails in a shared
// transaction fails alone, and one that panics only fails.
func TestGroupCommit(t *testing.T) {
	tests := []struct {
		name    string
		bad     map[int]func(*bolt.Tx) error // queued writes that fail
		wantErr map[int]string
	}{
		{name: "all good"},
		{name: "one fails", bad: map[int]func(*bolt.Tx) error{3: func(tx *bolt.Tx) error {
			putKey("k3")(tx)
			return errors.New("refused")
		}}, wantErr: map[int]string{3: "refused"}},
		{name: "one panics", bad: map[int]func(*bolt.Tx) error{0: func(*bolt.Tx) error { panic("boom") }},
			wantErr: map[int]string{0: "portal write panicked: boom"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testCommitter(t)
			inside, release := make(chan struct{}), make(chan struct{})
			first := make(chan error, 1)
			go func() {
				first <- c.do(func(tx *bolt.Tx) error {
					close(inside)
					<-release
					return putKey("first")(tx)
				})
			}()
			<-inside
			const n = 7
			var mu sync.Mutex
			txs := map[*bolt.Tx]bool{}
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				fn := putKey(fmt.Sprintf("k%d", i))
				if b, ok := tt.bad[i]; ok {
					fn = b
				}
				wg.Go(func() {
					errs[i] = c.do(func(tx *bolt.Tx) error {
						mu.Lock()
						txs[tx] = true
						mu.Unlock()
						return fn(tx)
					})
				})
			}
			waitQueued(t, c, n)
			close(release)
			wg.Wait()
			if err := <-first; err != nil {
				t.Fatalf("first write: %v", err)
			}
			// One transaction for the queued writes, one more for each
			// failure (run alone) and one for the rest again.
			if want := 1 + 2*len(tt.bad); len(txs) != want {
				t.Errorf("%d queued writes ran in %d transactions, want %d", n, len(txs), want)
			}
			c.db.View(func(tx *bolt.Tx) error {
				for i := range n {
					got := tx.Bucket([]byte("b")).Get([]byte(fmt.Sprintf("k%d", i))) != nil
					want, ok := tt.wantErr[i]
					switch {
					case ok && (errs[i] == nil || errs[i].Error() != want):
						t.Errorf("write %d: error %v, want %q", i, errs[i], want)
					case ok && got:
						t.Errorf("write %d failed, and its key was stored anyway", i)
					case !ok && errs[i] != nil:
						t.Errorf("write %d: %v", i, errs[i])
					case !ok && !got:
						t.Errorf("write %d succeeded, and its key is not stored", i)
					}
				}
				return nil
			})
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.busy || len(c.queue) > 0 {
				t.Errorf("after all writes: busy %v, %d queued", c.busy, len(c.queue))
			}
		})
	}
}

// When the storage itself fails, every write says so and none waits for
// good.
func TestGroupCommitStorageFailure(t *testing.T) {
	c := testCommitter(t)
	c.db.Close()
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { errs[i] = c.do(putKey(fmt.Sprintf("k%d", i))) })
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, bolt.ErrDatabaseNotOpen) {
			t.Errorf("write %d on a closed storage: %v, want %v", i, err, bolt.ErrDatabaseNotOpen)
		}
	}
}
