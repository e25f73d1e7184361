package review

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"perenos/store"
)

// The states of an invitation, as the operator's list tells them apart.
const (
	InvitationValid   = "valid"   // may be used
	InvitationUsed    = "used"    // exchanged for a session, which lasts until it expires
	InvitationExpired = "expired" // past its lifetime
	InvitationRevoked = "revoked" // ended by an operator
)

// InvitationStatus is what stands of an invitation at now.
func InvitationStatus(inv *store.Invitation, now time.Time) string {
	switch {
	case !inv.Revoked.IsZero():
		return InvitationRevoked
	case !now.Before(inv.Expires):
		return InvitationExpired
	case !inv.Used.IsZero():
		return InvitationUsed
	}
	return InvitationValid
}

// inviteTTLDays are the lifetimes the operator may give a new invitation,
// in days; the first is the default, as perenos invite's --ttl.
var inviteTTLDays = []int{14, 1, 3, 7, 30}

type invitationRow struct {
	store.Invitation
	Status string
}

// newLink is an invitation link just issued, shown once.
type newLink struct {
	Link    string
	ID      string
	Expires time.Time
}

type invitationsData struct {
	Org  *store.Org
	Rows []invitationRow
	TTLs []int
	New  *newLink
	// Gone is true when the page was asked for a link that was shown already.
	Gone bool
	Live int // invitations that may still be used or hold a session
}

// invitationsPage lists an organisation's invitations with what stands of
// each, and offers to issue a new one and to revoke.
func (s *Server) invitationsPage(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	invs, err := s.cfg.WS.Invitations(org.ID)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось прочитать приглашения.", err)
		return
	}
	d := invitationsData{Org: org, TTLs: inviteTTLDays}
	now := s.cfg.Now()
	for _, inv := range invs {
		st := InvitationStatus(&inv, now)
		if st == InvitationValid || st == InvitationUsed {
			d.Live++
		}
		d.Rows = append(d.Rows, invitationRow{inv, st})
	}
	if id := r.URL.Query().Get("shown"); id != "" {
		if l := s.shown.take(id, sess.TokenHash, org.ID, now); l != nil {
			d.New = l
		} else {
			d.Gone = true
		}
	}
	s.render(w, http.StatusOK, "invitations", pageData{Title: "Приглашения: " + org.Name, Sess: sess, Flash: doneMessage(r), D: d})
}

// issueInvitation issues an invitation as perenos invite does, and shows
// its link once: the page it leads to takes the link from memory and
// forgets it, so a reload issues nothing and shows nothing again.
func (s *Server) issueInvitation(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	days, err := strconv.Atoi(r.PostFormValue("ttl_days"))
	if err != nil || !slices.Contains(inviteTTLDays, days) {
		s.fail(w, r, sess, http.StatusBadRequest, "Выберите срок действия приглашения из списка.", nil)
		return
	}
	link, inv, err := Invite(s.cfg.WS, s.cfg.PublicURL, org.ID, sess.Actor, time.Duration(days)*24*time.Hour)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось выдать приглашение.", err)
		return
	}
	id := s.shown.put(sess.TokenHash, org.ID, newLink{Link: link, ID: inv.ID, Expires: inv.Expires}, s.cfg.Now())
	http.Redirect(w, r, "/site/"+url.PathEscape(org.ID)+"/invitations?shown="+url.QueryEscape(id), http.StatusSeeOther)
}

// revokeInvitations revokes one invitation of the organisation, or all of
// them, as perenos invite --revoke does: their sessions end at once.
func (s *Server) revokeInvitations(w http.ResponseWriter, r *http.Request, sess *store.Session, org *store.Org) {
	id := r.PostFormValue("id")
	if id == "" && r.PostFormValue("all") != "yes" {
		s.fail(w, r, sess, http.StatusBadRequest, "Не указано, какое приглашение отозвать.", nil)
		return
	}
	n, err := s.cfg.WS.RevokeInvitations(sess.Actor, org.ID, id)
	if err != nil {
		s.fail(w, r, sess, http.StatusInternalServerError, "Не удалось отозвать приглашение.", err)
		return
	}
	done := doneRevoked
	switch {
	case n == 0:
		done = doneNoneRevoked
	case id == "":
		done = doneRevokedAll
	}
	http.Redirect(w, r, "/site/"+url.PathEscape(org.ID)+"/invitations?done="+done, http.StatusSeeOther)
}

// shownLinks keeps each invitation link just issued for the one page that
// shows it, in memory only, for a few minutes: its secret is never stored.
type shownLinks struct {
	mu    sync.Mutex
	links map[string]shownLink
}

type shownLink struct {
	sess, org string
	link      newLink
	until     time.Time
}

const (
	shownFor = 10 * time.Minute
	shownMax = 1000
)

func (sl *shownLinks) put(sess, org string, l newLink, now time.Time) string {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	if sl.links == nil {
		sl.links = map[string]shownLink{}
	}
	for k, v := range sl.links {
		if !now.Before(v.until) {
			delete(sl.links, k)
		}
	}
	for k := range sl.links { // still full: forget any one
		if len(sl.links) < shownMax {
			break
		}
		delete(sl.links, k)
	}
	id := randomToken(12)
	sl.links[id] = shownLink{sess: sess, org: org, link: l, until: now.Add(shownFor)}
	return id
}

// take returns the link kept under id for this session and organisation,
// and forgets it.
func (sl *shownLinks) take(id, sess, org string, now time.Time) *newLink {
	sl.mu.Lock()
	defer sl.mu.Unlock()
	v, ok := sl.links[id]
	if !ok || v.sess != sess || v.org != org || !now.Before(v.until) {
		return nil
	}
	delete(sl.links, id)
	return &v.link
}
