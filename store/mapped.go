package store

import (
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The ledger's file is mapped into the process by bbolt, and every page a
// transaction reads stays resident in the process until the kernel needs
// the memory: a map stage that reads a site's 20,000 documents, or a
// crawl's many commits, leave hundreds of MB of the file counted in the
// process's resident memory. Those pages are the kernel's page cache,
// mapped; releasing the mapping's pages (madvise MADV_DONTNEED on Linux)
// takes them out of the process's resident set and leaves them in the page
// cache, so that the next read of one costs a minor fault, not a disk
// read. The workspace does it every releaseEvery while the ledger is in
// use (releaser), from a read transaction of its own: bbolt remaps only
// under a lock that every open read transaction holds shared, so the
// mapping cannot move or go while it is released.

// releaseEvery is how often the ledger's mapped pages are released while
// the ledger is in use: often enough that a stage reading the ledger at
// full speed (a few hundred MB/s of stored records at most) leaves a few
// tens of MB mapped, rarely enough that the faults that map the hot pages
// (the tree's branches) again cost nothing that shows.
const releaseEvery = 100 * time.Millisecond

// releaser releases the ledger's mapped pages in the background while the
// ledger is used.
type releaser struct {
	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup
}

func startReleaser(db *bolt.DB, every time.Duration) *releaser {
	r := &releaser{stop: make(chan struct{})}
	if every == 0 {
		every = releaseEvery
	}
	if !canRelease || every < 0 {
		return r
	}
	r.wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		last := db.Stats()
		for {
			select {
			case <-r.stop:
				return
			case <-t.C:
			}
			s := db.Stats()
			if s.TxN == last.TxN && s.OpenTxN == 0 && s.TxStats.GetWrite() == last.TxStats.GetWrite() {
				continue // idle since the last release: nothing new is mapped
			}
			_ = releaseMapped(db)
			last = db.Stats()
		}
	})
	return r
}

// close stops the releaser and waits for it; closing it again does
// nothing.
func (r *releaser) close() {
	if r == nil {
		return
	}
	r.stopOnce.Do(func() { close(r.stop) })
	r.wg.Wait()
}

// releaseMapped releases the pages of the ledger's mapping from the
// process's resident set (see releaseFile), in a read transaction so that
// bbolt cannot remap meanwhile.
func releaseMapped(db *bolt.DB) error {
	return db.View(func(tx *bolt.Tx) error {
		// The mapping starts at Info().Data and is at least the size this
		// transaction sees (the file's pages in use); it is larger when
		// bbolt mapped ahead, and those pages were never read.
		return releaseFile(db.Info().Data, tx.Size())
	})
}

// ReleaseMapped takes the ledger's file pages out of the process's
// resident memory now, as the workspace does by itself while it is used;
// they stay in the kernel's page cache. Where that cannot be done it does
// nothing.
func (w *Workspace) ReleaseMapped() error {
	if !canRelease {
		return nil
	}
	return releaseMapped(w.db)
}
