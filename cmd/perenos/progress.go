package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"perenos/crawler"
	"perenos/pipeline"
	"perenos/portal"
	"perenos/store"
	"perenos/uploader"
)

// progress shows a batch's sites starting and finishing: a bar on a
// terminal, a plain line per site otherwise, one JSON object per line
// with --json, nothing with --quiet.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	bar   *progressbar.ProgressBar
	json  bool
	quiet bool
	total int // sites
	steps int // steps per site
	done  int

	start                     time.Time
	pages, files, errs, bytes int64
	items, itemErrs, retries  int64
	lastLine                  time.Time
}

var (
	_ pipeline.Progress = (*progress)(nil)
	_ crawler.Progress  = (*progress)(nil)
	_ uploader.Progress = (*progress)(nil)
)

// Sent counts an uploaded item; the bar's description shows the totals.
func (p *progress) Sent(org string, kind portal.Kind, err error) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.items++
	if err != nil {
		p.itemErrs++
	}
	p.describeUpload()
}

// Retried counts a retry of a write to the portal.
func (p *progress) Retried(kind portal.Kind, key string, attempt int, wait time.Duration, err error) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.retries++
	p.describeUpload()
}

// describeUpload shows the upload's totals. Caller holds p.mu.
func (p *progress) describeUpload() {
	rate := float64(p.items) / max(time.Since(p.start).Seconds(), 0.001)
	p.describe("upload", fmt.Sprintf("items %d, refused %d, retries %d, %.0f/s", p.items, p.itemErrs, p.retries, rate))
}

// describe shows a stage's totals with the batch's estimate: on the bar,
// or as a line every ten seconds without one (nothing under --json).
// Caller holds p.mu.
func (p *progress) describe(stage, desc string) {
	if est := estimate(time.Since(p.start), p.done, p.total*max(p.steps, 1)); est != "" {
		desc += ", " + est
	}
	switch {
	case p.bar != nil:
		p.bar.Describe(desc)
	case p.json:
	case time.Since(p.lastLine) > 10*time.Second:
		p.lastLine = time.Now()
		fmt.Fprintln(p.w, stage+":", desc)
	}
}

// Fetched counts a crawled URL; the bar's description shows the totals.
func (p *progress) Fetched(org, url string, kind store.PageKind, n int64, err error) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case err != nil:
		p.errs++
	case kind == store.KindAttachment:
		p.files++
	default:
		p.pages++
	}
	p.bytes += n
	rate := float64(p.pages+p.files) / max(time.Since(p.start).Seconds(), 0.001)
	p.describe("crawl", fmt.Sprintf("pages %d, files %d, errors %d, %.0f/s", p.pages, p.files, p.errs, rate))
}

func newProgress(g *globalOptions, asJSON bool, total int, what string) *progress {
	p := &progress{w: g.errOut, json: asJSON, quiet: g.Quiet, total: total, start: time.Now(), lastLine: time.Now()}
	if !g.Quiet && !asJSON && isTerminal(g.errOut) && total > 1 {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(g.errOut), progressbar.OptionSetDescription(what),
			progressbar.OptionShowCount(), progressbar.OptionSetElapsedTime(true), progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	return p
}

// setSteps says how many steps each site goes through, so that the bar
// counts one tick per site and step.
func (p *progress) setSteps(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.steps = max(n, 1)
	if p.bar != nil {
		p.bar.ChangeMax(p.total * p.steps)
	}
}

func (p *progress) SiteStarted(stage store.Stage, org string) {}

func (p *progress) SiteDone(stage store.Stage, org string, out pipeline.Outcome) {
	if p == nil || p.quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	switch {
	case p.json:
		b, _ := json.Marshal(map[string]any{"message_type": "site_done", "stage": stage, "site": out})
		fmt.Fprintln(p.w, string(b))
	case p.bar != nil:
		if p.steps > 1 {
			p.bar.Describe(fmt.Sprintf("%s %s", stage, org))
		}
		p.bar.Add(1)
	default:
		line := fmt.Sprintf("%s %s: %s", stage, org, oneLine(out))
		if est := estimate(time.Since(p.start), p.done, p.total*max(p.steps, 1)); est != "" && p.done < p.total*max(p.steps, 1) {
			line += fmt.Sprintf(" [%d/%d, %s]", p.done, p.total*max(p.steps, 1), est)
		}
		fmt.Fprintln(p.w, line)
	}
}

// estimate says how long the rest of a batch may take, from the time the
// steps done so far took: labelled an estimate, since sites differ. It is
// empty until a step is done or when nothing is left.
func estimate(elapsed time.Duration, done, total int) string {
	if done == 0 || done >= total {
		return ""
	}
	left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
	switch {
	case left < time.Minute:
		return fmt.Sprintf("about %ds left (estimate)", int(left.Seconds()+0.5))
	case left < 2*time.Hour:
		return fmt.Sprintf("about %d min left (estimate)", int(left.Minutes()+0.5))
	}
	return fmt.Sprintf("about %.1f h left (estimate)", left.Hours())
}

func (p *progress) finish() {
	if p != nil && p.bar != nil {
		p.bar.Finish()
	}
}

func oneLine(o pipeline.Outcome) string {
	switch {
	case o.Error != "":
		return "FAILED: " + o.Error
	case o.Skip != nil:
		return "skipped: " + skipText(o)
	default:
		return string(o.State) + " — " + describe(o)
	}
}

// printResult writes a batch's outcomes as a table or JSON.
func printResult(w io.Writer, res *pipeline.Result, asJSON bool) {
	if asJSON {
		printJSON(w, res)
		return
	}
	for _, o := range res.Outcomes {
		fmt.Fprintf(w, "%-12s %-11s %s\n", o.Org, o.State, oneLine(o))
		for _, l := range detailLines(o) {
			fmt.Fprintln(w, l)
		}
	}
	fmt.Fprintf(w, "%d sites: %d done, %d skipped, %d failed\n", len(res.Outcomes), len(res.Outcomes)-res.Failed-res.Skipped, res.Skipped, res.Failed)
}
