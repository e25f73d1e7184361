package store

import (
	"fmt"
	"slices"
)

// State is where a site stands in the migration pipeline.
type State string

// The pipeline's states, in order, and Failed, reachable from any working state.
const (
	Registered State = "registered"
	Crawled    State = "crawled"
	Extracted  State = "extracted"
	Mapped     State = "mapped"
	InReview   State = "in_review"
	Approved   State = "approved"
	Uploaded   State = "uploaded"
	Verified   State = "verified"
	ActIssued  State = "act_issued"
	ActSigned  State = "act_signed"
	Failed     State = "failed"
)

// Pipeline lists the working states in the order a site passes through them.
var Pipeline = []State{Registered, Crawled, Extracted, Mapped, InReview, Approved, Uploaded, Verified, ActIssued, ActSigned}

// ParseState checks that s names a state.
func ParseState(s string) (State, error) {
	st := State(s)
	if st == Failed || slices.Contains(Pipeline, st) {
		return st, nil
	}
	return "", fmt.Errorf("unknown state %q (want one of %v or failed)", s, Pipeline)
}

// Rank is a state's position in Pipeline, or -1 for Failed and unknown states.
func (s State) Rank() int { return slices.Index(Pipeline, s) }

// Stage is a step of the pipeline; running it moves a site to the stage's state.
type Stage string

// The stages, named as the CLI names them.
const (
	StageCrawl   Stage = "crawl"
	StageExtract Stage = "extract"
	StageMap     Stage = "map"
	StageReview  Stage = "review"
	StageApprove Stage = "approve"
	StageUpload  Stage = "upload"
	StageVerify  Stage = "verify"
	StageAct     Stage = "act"
	StageSign    Stage = "sign"
)

// stageStates maps each stage to the state it produces.
var stageStates = map[Stage]State{
	StageCrawl: Crawled, StageExtract: Extracted, StageMap: Mapped, StageReview: InReview,
	StageApprove: Approved, StageUpload: Uploaded, StageVerify: Verified, StageAct: ActIssued, StageSign: ActSigned,
}

// Result is the state a stage moves a site to.
func (st Stage) Result() State { return stageStates[st] }

// StageOf returns the stage whose result is s ("" for Registered and Failed).
func StageOf(s State) Stage {
	for st, r := range stageStates {
		if r == s {
			return st
		}
	}
	return ""
}

// CanRun reports whether stage st may run on a site in state cur, and why not.
// A stage runs forward from the state just before its own, re-runs from its
// own or any later state (moving the site back), and re-runs after a failure
// at the same or a later stage. An organisation without a legacy site skips
// crawl and extract: mapping may start from registered.
func CanRun(st Stage, cur State, failedStage Stage, hasLegacy bool) error {
	res := st.Result()
	if res == "" {
		return fmt.Errorf("unknown stage %q", st)
	}
	want := res.Rank()
	if cur == Failed {
		if failedStage == "" || failedStage.Result().Rank() >= want {
			return nil
		}
		return &TransitionError{From: cur, To: res, Why: fmt.Sprintf("the site failed at %s; re-run %s first", failedStage, failedStage)}
	}
	r := cur.Rank()
	switch {
	case r < 0:
		return &TransitionError{From: cur, To: res, Why: "unknown current state"}
	case (st == StageCrawl || st == StageExtract) && !hasLegacy:
		return &TransitionError{From: cur, To: res, Why: "the organisation has no legacy site; run map"}
	case r >= want || r == want-1:
		return nil
	case st == StageMap && cur == Registered && !hasLegacy:
		return nil
	}
	return &TransitionError{From: cur, To: res, Why: fmt.Sprintf("%s needs the site %s first", st, Pipeline[want-1])}
}

// TransitionError is an illegal state change.
type TransitionError struct {
	From, To State
	Why      string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("cannot move from %s to %s: %s", e.From, e.To, e.Why)
}
