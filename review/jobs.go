package review

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"perenos/store"
)

// Job is a batch stage the operator started from the web UI.
type Job struct {
	ID       string
	Stage    string
	Orgs     []string
	Actor    string
	Started  time.Time
	mu       sync.Mutex
	finished time.Time
	lines    []string
	err      string
}

// Snapshot is a job's progress at one moment.
type Snapshot struct {
	Lines    []string
	Finished time.Time
	Err      string
}

// Snapshot returns the job's progress so far.
func (j *Job) Snapshot() Snapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	return Snapshot{Lines: slices.Clone(j.lines), Finished: j.finished, Err: j.err}
}

// Running reports whether the job is still at work.
func (j *Job) Running() bool { return j.Snapshot().Finished.IsZero() }

func (j *Job) add(line string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.lines) < 5000 {
		j.lines = append(j.lines, line)
	}
}

type jobs struct {
	mu  sync.Mutex
	all []*Job
	wg  sync.WaitGroup
}

func newJobs() *jobs { return &jobs{} }

func (js *jobs) list() []*Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	out := slices.Clone(js.all)
	slices.Reverse(out)
	return out[:min(len(out), 20)]
}

func (js *jobs) get(id string) *Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, j := range js.all {
		if j.ID == id {
			return j
		}
	}
	return nil
}

func (s *Server) startJob(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	stage := r.PostFormValue("stage")
	if !slices.Contains(s.cfg.Backend.Stages(), stage) {
		s.fail(w, r, sess, http.StatusBadRequest, "Этот этап нельзя запустить отсюда.", nil)
		return
	}
	orgs := r.PostForm["org"]
	if len(orgs) == 0 {
		s.fail(w, r, sess, http.StatusBadRequest, "Отметьте хотя бы один сайт.", nil)
		return
	}
	for _, id := range orgs {
		if _, err := s.cfg.WS.Org(id); err != nil {
			s.fail(w, r, sess, http.StatusBadRequest, "Нет организации "+id+".", nil)
			return
		}
	}
	j := &Job{ID: randomToken(6), Stage: stage, Orgs: orgs, Actor: sess.Actor, Started: s.cfg.Now()}
	s.jobs.mu.Lock()
	s.jobs.all = append(s.jobs.all, j)
	s.jobs.mu.Unlock()
	j.add(fmt.Sprintf("%s: %s, запустил %s", StageName(stage), Count(len(orgs), "сайт", "сайта", "сайтов"), sess.Actor))
	s.jobs.wg.Go(func() {
		err := s.cfg.Backend.Run(s.ctx, stage, orgs, sess.Actor, j.add)
		j.mu.Lock()
		defer j.mu.Unlock()
		j.finished = s.cfg.Now()
		if err != nil {
			j.err = err.Error()
			s.cfg.Log.Warn("batch job ended with an error", "job", j.ID, "stage", stage, "err", err)
		}
	})
	http.Redirect(w, r, "/jobs/"+url.PathEscape(j.ID), http.StatusSeeOther)
}

// Wait waits for the batch jobs started from the web UI to end; cancel
// the context given to NewServer first to make them stop.
func (s *Server) Wait() { s.jobs.wg.Wait() }

func (s *Server) jobPage(w http.ResponseWriter, r *http.Request, sess *store.Session) {
	j := s.jobs.get(r.PathValue("id"))
	if j == nil {
		s.notFound(w, r, sess)
		return
	}
	snap := j.Snapshot()
	s.render(w, http.StatusOK, "job", pageData{Title: "Задание: " + StageName(j.Stage), Sess: sess, D: struct {
		Job  *Job
		Snap Snapshot
		Text string
	}{j, snap, strings.Join(snap.Lines, "\n")}})
}
