package uploader

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"perenos/portal"
)

// StatusError is an answer of the portal that is not a success.
type StatusError struct {
	Status int
	// RetryAfter is the wait the portal asked for (429, 503), or 0.
	RetryAfter time.Duration
	Problem    *portal.Problem
}

func (e *StatusError) Error() string { return e.Problem.Error() }

// Unwrap gives the portal's problem, and ErrNotFound for a 404.
func (e *StatusError) Unwrap() []error {
	if e.Status == http.StatusNotFound {
		return []error{e.Problem, ErrNotFound}
	}
	return []error{e.Problem}
}

// PermanentError is a failure that trying again cannot mend: no token for
// the site, a body that cannot be encoded, a write a target cannot take.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// ErrUnreachable says the portal could not be reached at all.
var ErrUnreachable = errors.New("the portal cannot be reached")

// UnreachableError is a portal that cannot be reached at URL: nothing
// answers there (connection refused, no such host, no route). It is the
// operator's problem, not a site's: a batch that meets it stops, keeps
// what was done and fails no site for it.
type UnreachableError struct {
	URL string
	Err error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the portal at %s cannot be reached (check --portal and that the portal is up): %v", e.URL, e.Err)
}

// Unwrap gives ErrUnreachable and the network error.
func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// Class is how a failure is handled: the uploader's one classifier.
type Class int

// The classes of failure.
const (
	// Transient failures are retried: network errors, 408, 409, 429, 5xx.
	Transient Class = iota
	// Permanent failures are recorded against the item and never retried:
	// 4xx other than 408, 409 and 429, and what no retry can mend.
	Permanent
	// Unreachable is a portal that does not answer at all: retried a few
	// times, then the batch stops.
	Unreachable
)

// Classify says how err is handled.
func Classify(err error) Class {
	var ue *UnreachableError
	var pe *PermanentError
	var se *StatusError
	switch {
	case errors.As(err, &ue):
		return Unreachable
	case errors.As(err, &pe):
		return Permanent
	case errors.As(err, &se):
		switch se.Status {
		case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
			return Transient
		}
		if se.Status >= 400 && se.Status < 500 {
			return Permanent
		}
	}
	return Transient
}

// IsPermanent reports whether err must not be retried.
func IsPermanent(err error) bool { return Classify(err) == Permanent }

// IsUnreachable reports whether err is a portal that cannot be reached.
func IsUnreachable(err error) bool { return errors.Is(err, ErrUnreachable) }

// fixFor says, for a permanent failure of one item, what a person must
// change so that the next run succeeds.
func fixFor(err error, site string, o Op) string {
	var se *StatusError
	if !errors.As(err, &se) {
		var pe *PermanentError
		if errors.As(err, &pe) {
			if errors.Is(err, errNoToken) {
				return fmt.Sprintf("add a line for portal site %s to the tokens file (--tokens), or check the organisation's portal_site in the registry", site)
			}
			if errors.Is(err, ErrUnsupported) {
				return "the target cannot take this write; upload to the portal instead"
			}
			return "see the error; this is not a portal answer, so check the workspace (perenos plan ORG) and report it if it persists"
		}
		return ""
	}
	p := se.Problem
	switch se.Status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("the portal does not know the token given for portal site %s: put the site's current token in the tokens file", site)
	case http.StatusForbidden:
		return fmt.Sprintf("the token is not valid for portal site %s: check the organisation's portal_site in the registry and its line in the tokens file", site)
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("%s is larger than the portal accepts: replace it with a smaller version, or exclude it in review (perenos serve)", describeOp(o))
	case http.StatusNotFound:
		return fmt.Sprintf("the portal has no site %s: check the organisation's portal_site in the registry", site)
	case http.StatusUnprocessableEntity:
		switch p.Field {
		case "title":
			return fmt.Sprintf("%s has no title: give it one in review (perenos serve) and upload again", describeOp(o))
		case "section", "parent":
			return fmt.Sprintf("%s names a section that is not on the portal: upload the site again without --only or --limit, so that its sections go first", describeOp(o))
		case "file_sha256":
			return fmt.Sprintf("%s names a file that is not on the portal: upload the site again without --only or --limit, so that its file goes first", describeOp(o))
		case "record_type":
			return fmt.Sprintf("%s has no record type: correct the record in review (perenos serve)", describeOp(o))
		}
		if p.Title == "hash mismatch" {
			return fmt.Sprintf("the stored copy of %s does not match its hash: crawl the site again to fetch it anew", describeOp(o))
		}
	}
	return fmt.Sprintf("the portal refused %s (%d %s): correct what it names, in review or the registry, and upload again", describeOp(o), se.Status, p.Title)
}

// describeOp names an item for a person: its kind, and where it came from.
func describeOp(o Op) string {
	name := map[portal.Kind]string{portal.KindSection: "the section", portal.KindPage: "the page", portal.KindDocument: "the document",
		portal.KindNews: "the news item", portal.KindRecord: "the record", portal.KindFile: "the file"}[o.Kind]
	if o.Source != "" {
		return name + " from " + o.Source
	}
	return name + " " + o.Key
}
