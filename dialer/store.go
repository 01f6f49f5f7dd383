package dialer

import (
	"container/heap"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/seed-1c4692e8/hotline/events"
	"github.com/seed-1c4692e8/hotline/internal/statedb"
)

// The dialer keeps what people create and change, and where each campaign got to, in the state
// file (internal/statedb, Deps.State):
//
//   - campaigns created over the API (the definition, who created it) and every campaign's state
//     (running, paused, stopped), last attempt number and last book read;
//   - every contact of every list with its progress: attempts, retry time, final outcome, and a
//     call being placed (written before the call is dialled);
//   - do-not-call entries made over the API, by customers on calls (do_not_call) and by texted
//     opt-outs, company and campaign lists alike, and removals;
//   - the calls placed in the last 48 h, which rebuild the daily caps.
//
// A change over the API is committed before it is answered. What the engine does is committed
// in batches (Service.Flush, every FlushEvery, and at once when a call is about to be dialled
// or a call ended connected or abandoned), in one transaction with the events it produced
// (Tx.Publish), so the state and the events are both kept or both lost. A SIGKILL therefore
// loses at most the last batch: blocked attempts, retries scheduled after busy or unanswered
// calls, list additions, and never a call placed (its row is written before it is dialled, and a
// restart counts a call placed without an outcome as unanswered) nor a conversation or an
// abandoned call's lockout.

const storeOwner = "dialer"

var storeSteps = []string{
	`CREATE TABLE dialer_campaigns (
		id TEXT PRIMARY KEY,
		origin TEXT NOT NULL,              -- api: created over the API (definition below); config: a default or a campaign file
		definition TEXT,                   -- the campaign as the API shows it (JSON), api only
		listed INTEGER NOT NULL DEFAULT 1, -- 0: created before the dialer started; its list is read when it starts
		state TEXT NOT NULL,               -- running, paused, stopped
		state_by TEXT NOT NULL DEFAULT '',
		state_at INTEGER NOT NULL DEFAULT 0,
		created_by TEXT NOT NULL DEFAULT '',
		created_at INTEGER NOT NULL DEFAULT 0,
		last_seq INTEGER NOT NULL DEFAULT 0,  -- the attempt number used last
		last_poll INTEGER NOT NULL DEFAULT 0  -- the book was read up to here (unix ns)
	)`,
	`CREATE TABLE dialer_contacts (
		campaign TEXT NOT NULL,
		id TEXT NOT NULL,
		contact TEXT NOT NULL, -- JSON
		seq INTEGER NOT NULL,
		attempts INTEGER NOT NULL,
		failed INTEGER NOT NULL,
		next_at INTEGER NOT NULL,   -- unix ns; 0: not scheduled yet (a new contact)
		final TEXT NOT NULL,
		final_at INTEGER NOT NULL,
		reached INTEGER NOT NULL,
		first INTEGER NOT NULL,
		dialed_at INTEGER NOT NULL, -- a call was being placed then, outcome not known yet
		PRIMARY KEY (campaign, id)
	)`,
	`CREATE TABLE dialer_dnc (
		list TEXT NOT NULL,     -- company or campaign
		campaign TEXT NOT NULL, -- '' for the company list
		phone TEXT NOT NULL,
		listed INTEGER NOT NULL, -- 0: taken off
		until TEXT NOT NULL,     -- YYYY-MM-DD the entry lapses; '' for ever
		reason TEXT NOT NULL,
		changed_by TEXT NOT NULL,
		changed_at INTEGER NOT NULL,
		PRIMARY KEY (list, campaign, phone)
	)`,
	`CREATE TABLE dialer_dials (
		campaign TEXT NOT NULL, contact TEXT NOT NULL, customer TEXT NOT NULL, phone TEXT NOT NULL, at INTEGER NOT NULL
	)`,
	`CREATE INDEX dialer_dials_at ON dialer_dials (at)`,
}

// dialsKept is how long placed calls are kept for the daily caps (a local day, any time zone).
const dialsKept = 48 * time.Hour

// ErrNotSaved wraps a change the state file did not take: nothing changed, the caller may retry.
var ErrNotSaved = errors.New("not saved")

// store is the dialer's part of the state file and the batch of engine changes not yet written.
type store struct {
	db  *statedb.DB
	log *slog.Logger

	// wmu makes commits one at a time, so an older batch never lands after a newer one.
	wmu sync.Mutex

	mu       sync.Mutex
	contacts map[contactKey]contactRow
	progress map[string]campaignProgress
	dnc      []dncRow
	events   []events.Event
	newest   time.Time // the latest call placed, which ages out old dials
	failing  bool      // the last commit failed (logged once until one succeeds)
}

type contactKey struct{ campaign, id string }

// contactRow is one list entry as stored; gone means the list forgot it (Prune).
type contactRow struct {
	campaign string
	c        Contact
	seq      int
	attempts int
	failed   int
	nextAt   time.Time
	final    string
	finalAt  time.Time
	reached  time.Time
	first    time.Time
	dialedAt time.Time
	gone     bool
}

type campaignProgress struct {
	lastSeq  int
	lastPoll time.Time
}

type dncRow struct {
	list, campaign, phone string
	listed                bool
	until                 time.Time
	reason, by            string
	at                    time.Time
}

type dialRow struct {
	campaign, contact, customer, phone string
	at                                 time.Time
}

func newStore(ctx context.Context, db *statedb.DB, log *slog.Logger) (*store, error) {
	if err := db.Migrate(ctx, storeOwner, storeSteps); err != nil {
		return nil, fmt.Errorf("preparing the dialer's state: %w", err)
	}
	return &store{db: db, log: log, contacts: map[contactKey]contactRow{}, progress: map[string]campaignProgress{}}, nil
}

func ns(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNS(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// noteContact queues a list entry's latest state.
func (st *store) noteContact(r contactRow) {
	st.mu.Lock()
	st.contacts[contactKey{r.campaign, r.c.ID}] = r
	st.mu.Unlock()
}

// noteProgress queues a campaign's last attempt number and book read (the later of each wins).
func (st *store) noteProgress(campaign string, seq int, lastPoll time.Time) {
	st.mu.Lock()
	p := st.progress[campaign]
	p.lastSeq = max(p.lastSeq, seq)
	if lastPoll.After(p.lastPoll) {
		p.lastPoll = lastPoll
	}
	st.progress[campaign] = p
	st.mu.Unlock()
}

func (st *store) noteDNC(r dncRow) {
	st.mu.Lock()
	st.dnc = append(st.dnc, r)
	st.mu.Unlock()
}

func (st *store) noteEvent(ev events.Event) {
	st.mu.Lock()
	st.events = append(st.events, ev)
	st.mu.Unlock()
}

// commit writes the queued batch, and extra dials, in one transaction with the batch's events.
// On failure the batch stays queued (newer changes of the same rows win) and extra is dropped:
// the caller did not place those calls.
func (st *store) commit(ctx context.Context, extra ...dialRow) error {
	st.wmu.Lock()
	defer st.wmu.Unlock()
	st.mu.Lock()
	contacts, progress, dnc, evs := st.contacts, st.progress, st.dnc, st.events
	if len(contacts)+len(progress)+len(dnc)+len(evs)+len(extra) == 0 {
		st.mu.Unlock()
		return nil
	}
	st.contacts, st.progress, st.dnc, st.events = map[contactKey]contactRow{}, map[string]campaignProgress{}, nil, nil
	for _, d := range extra {
		if d.at.After(st.newest) {
			st.newest = d.at
		}
	}
	newest := st.newest
	st.mu.Unlock()

	err := st.db.Update(ctx, func(tx *statedb.Tx) error {
		for _, r := range contacts {
			if err := putContact(ctx, tx, r); err != nil {
				return err
			}
		}
		for id, p := range progress {
			if _, err := tx.ExecContext(ctx, `INSERT INTO dialer_campaigns (id, origin, state, last_seq, last_poll) VALUES (?, 'config', ?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET last_seq = max(last_seq, excluded.last_seq), last_poll = max(last_poll, excluded.last_poll)`,
				id, StateRunning, p.lastSeq, ns(p.lastPoll)); err != nil {
				return fmt.Errorf("saving campaign %s's progress: %w", id, err)
			}
		}
		for _, d := range dnc {
			if err := putDNC(ctx, tx, d); err != nil {
				return err
			}
		}
		for _, d := range extra {
			if _, err := tx.ExecContext(ctx, "INSERT INTO dialer_dials (campaign, contact, customer, phone, at) VALUES (?, ?, ?, ?, ?)",
				d.campaign, d.contact, d.customer, d.phone, ns(d.at)); err != nil {
				return fmt.Errorf("saving a placed call: %w", err)
			}
		}
		if len(extra) > 0 {
			if _, err := tx.ExecContext(ctx, "DELETE FROM dialer_dials WHERE at < ?", ns(newest.Add(-dialsKept))); err != nil {
				return fmt.Errorf("forgetting old placed calls: %w", err)
			}
		}
		return tx.Publish(ctx, evs...)
	})
	if err == nil {
		st.mu.Lock()
		if st.failing {
			st.log.Info("dialer state saved again")
		}
		st.failing = false
		st.mu.Unlock()
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	for k, r := range contacts {
		if _, newer := st.contacts[k]; !newer {
			st.contacts[k] = r
		}
	}
	for id, p := range progress {
		q := st.progress[id]
		q.lastSeq = max(q.lastSeq, p.lastSeq)
		if p.lastPoll.After(q.lastPoll) {
			q.lastPoll = p.lastPoll
		}
		st.progress[id] = q
	}
	st.dnc = append(dnc, st.dnc...)
	st.events = append(evs, st.events...)
	if !st.failing {
		st.log.Error("dialer state not saved; no new calls until it is", "err", err)
	}
	st.failing = true
	return fmt.Errorf("saving the dialer's state: %w", err)
}

func putContact(ctx context.Context, tx *statedb.Tx, r contactRow) error {
	if r.gone {
		_, err := tx.ExecContext(ctx, "DELETE FROM dialer_contacts WHERE campaign = ? AND id = ?", r.campaign, r.c.ID)
		return err
	}
	c := r.c
	c.Attempt = 0
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding contact %s: %w", c.ID, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO dialer_contacts (campaign, id, contact, seq, attempts, failed, next_at, final, final_at, reached, first, dialed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (campaign, id) DO UPDATE SET contact = excluded.contact, seq = excluded.seq, attempts = excluded.attempts,
			failed = excluded.failed, next_at = excluded.next_at, final = excluded.final, final_at = excluded.final_at,
			reached = excluded.reached, first = excluded.first, dialed_at = excluded.dialed_at`,
		r.campaign, c.ID, string(b), r.seq, r.attempts, r.failed, ns(r.nextAt), r.final, ns(r.finalAt), ns(r.reached), ns(r.first), ns(r.dialedAt))
	if err != nil {
		return fmt.Errorf("saving contact %s of campaign %s: %w", c.ID, r.campaign, err)
	}
	return nil
}

// putDNC keeps the latest word on a number: an older change written late does not undo a newer one.
func putDNC(ctx context.Context, tx *statedb.Tx, d dncRow) error {
	listed := 0
	if d.listed {
		listed = 1
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO dialer_dnc (list, campaign, phone, listed, until, reason, changed_by, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (list, campaign, phone) DO UPDATE SET listed = excluded.listed, until = excluded.until, reason = excluded.reason,
			changed_by = excluded.changed_by, changed_at = excluded.changed_at WHERE excluded.changed_at >= dialer_dnc.changed_at`,
		d.list, d.campaign, d.phone, listed, dateOrEmpty(d.until), d.reason, d.by, ns(d.at))
	if err != nil {
		return fmt.Errorf("saving do-not-call entry %s: %w", d.phone, err)
	}
	return nil
}

// setDNC writes one do-not-call change now (an API request, answered once it is saved).
func (st *store) setDNC(ctx context.Context, d dncRow) error {
	if err := st.db.Update(ctx, func(tx *statedb.Tx) error { return putDNC(ctx, tx, d) }); err != nil {
		return fmt.Errorf("%w: %w", ErrNotSaved, err)
	}
	return nil
}

// createCampaign saves a campaign created over the API with its list (listed false: read when
// the dialer starts). A campaign of the same id created over the API already is
// ErrCampaignExists; the progress of a campaign file no longer deployed under that id is dropped.
func (st *store) createCampaign(ctx context.Context, c Campaign, contacts []Contact, listed bool, at time.Time) error {
	def, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encoding campaign %s: %w", c.ID, err)
	}
	err = st.db.Update(ctx, func(tx *statedb.Tx) error {
		var origin string
		switch err := tx.QueryRowContext(ctx, "SELECT origin FROM dialer_campaigns WHERE id = ?", c.ID).Scan(&origin); {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case origin == "api":
			return fmt.Errorf("campaign %q %w", c.ID, ErrCampaignExists)
		default:
			// A campaign file of this id ran once and is gone: its progress is not this campaign's.
			for _, q := range []string{"DELETE FROM dialer_contacts WHERE campaign = ?", "DELETE FROM dialer_campaigns WHERE id = ?"} {
				if _, err := tx.ExecContext(ctx, q, c.ID); err != nil {
					return err
				}
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO dialer_campaigns (id, origin, definition, listed, state, created_by, created_at) VALUES (?, 'api', ?, ?, ?, ?, ?)`,
			c.ID, string(def), listed, StateRunning, c.Owner, ns(at)); err != nil {
			return err
		}
		return putFresh(ctx, tx, c.ID, contacts)
	})
	switch {
	case errors.Is(err, ErrCampaignExists):
		return err
	case err != nil:
		return fmt.Errorf("campaign %s %w: %w", c.ID, ErrNotSaved, err)
	}
	return nil
}

// putFresh saves contacts not called yet (next_at 0: the list schedules them when it loads).
func putFresh(ctx context.Context, tx *statedb.Tx, campaign string, contacts []Contact) error {
	for i, c := range contacts {
		if err := putContact(ctx, tx, contactRow{campaign: campaign, c: c, seq: i + 1}); err != nil {
			return err
		}
	}
	return nil
}

// saveList keeps the list read for a campaign created before the dialer started.
func (st *store) saveList(ctx context.Context, campaign string, contacts []Contact) error {
	return st.db.Update(ctx, func(tx *statedb.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE dialer_campaigns SET listed = 1 WHERE id = ?", campaign); err != nil {
			return err
		}
		return putFresh(ctx, tx, campaign, contacts)
	})
}

// setState saves a campaign's state (a row is made for a default or file campaign).
func (st *store) setState(ctx context.Context, id, state, by string, at time.Time) error {
	err := st.db.Update(ctx, func(tx *statedb.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO dialer_campaigns (id, origin, state, state_by, state_at) VALUES (?, 'config', ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET state = excluded.state, state_by = excluded.state_by, state_at = excluded.state_at`,
			id, state, by, ns(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("campaign %s %w: %w", id, ErrNotSaved, err)
	}
	return nil
}

// savedCampaign is a campaign as the state file has it.
type savedCampaign struct {
	id, origin string
	def        *Campaign // api campaigns
	listed     bool
	state      string
	createdBy  string
	createdAt  time.Time
	lastSeq    int
	lastPoll   time.Time
	contacts   []contactRow
}

// savedState is everything the dialer restores at start.
type savedState struct {
	campaigns map[string]*savedCampaign
	api       []string // api campaigns, in creation order
	dnc       []dncRow // oldest change first
	dials     []dialRow
}

func (st *store) load(ctx context.Context, since time.Time) (*savedState, error) {
	s := &savedState{campaigns: map[string]*savedCampaign{}}
	err := st.db.View(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, origin, coalesce(definition, ''), listed, state, created_by, created_at, last_seq, last_poll
			FROM dialer_campaigns ORDER BY created_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c savedCampaign
			var def string
			var created, poll int64
			if err := rows.Scan(&c.id, &c.origin, &def, &c.listed, &c.state, &c.createdBy, &created, &c.lastSeq, &poll); err != nil {
				return err
			}
			c.createdAt, c.lastPoll = fromNS(created), fromNS(poll)
			if c.origin == "api" {
				c.def = &Campaign{}
				if err := json.Unmarshal([]byte(def), c.def); err != nil {
					return fmt.Errorf("reading campaign %s: %w", c.id, err)
				}
				s.api = append(s.api, c.id)
			}
			s.campaigns[c.id] = &c
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := loadContacts(ctx, tx, s); err != nil {
			return err
		}
		if err := loadDNC(ctx, tx, s); err != nil {
			return err
		}
		return loadDials(ctx, tx, s, since)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the dialer's state from %s: %w", st.db.Path(), err)
	}
	return s, nil
}

func loadContacts(ctx context.Context, tx *sql.Tx, s *savedState) error {
	rows, err := tx.QueryContext(ctx, `SELECT campaign, contact, seq, attempts, failed, next_at, final, final_at, reached, first, dialed_at
		FROM dialer_contacts ORDER BY campaign, seq`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r contactRow
		var contact string
		var next, finalAt, reached, first, dialed int64
		if err := rows.Scan(&r.campaign, &contact, &r.seq, &r.attempts, &r.failed, &next, &r.final, &finalAt, &reached, &first, &dialed); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(contact), &r.c); err != nil {
			return fmt.Errorf("reading a contact of campaign %s: %w", r.campaign, err)
		}
		r.nextAt, r.finalAt, r.reached, r.first, r.dialedAt = fromNS(next), fromNS(finalAt), fromNS(reached), fromNS(first), fromNS(dialed)
		c, ok := s.campaigns[r.campaign]
		if !ok {
			c = &savedCampaign{id: r.campaign, origin: "config", state: StateRunning}
			s.campaigns[r.campaign] = c
		}
		c.contacts = append(c.contacts, r)
	}
	return rows.Err()
}

func loadDNC(ctx context.Context, tx *sql.Tx, s *savedState) error {
	rows, err := tx.QueryContext(ctx, "SELECT list, campaign, phone, listed, until FROM dialer_dnc ORDER BY changed_at")
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d dncRow
		var until string
		if err := rows.Scan(&d.list, &d.campaign, &d.phone, &d.listed, &until); err != nil {
			return err
		}
		if until != "" {
			if d.until, err = time.Parse(time.DateOnly, until); err != nil {
				return fmt.Errorf("do-not-call entry %s: until %q: %w", d.phone, until, err)
			}
		}
		s.dnc = append(s.dnc, d)
	}
	return rows.Err()
}

func loadDials(ctx context.Context, tx *sql.Tx, s *savedState, since time.Time) error {
	rows, err := tx.QueryContext(ctx, "SELECT campaign, contact, customer, phone, at FROM dialer_dials WHERE at >= ? ORDER BY at", ns(since))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var d dialRow
		var at int64
		if err := rows.Scan(&d.campaign, &d.contact, &d.customer, &d.phone, &at); err != nil {
			return err
		}
		d.at = fromNS(at)
		s.dials = append(s.dials, d)
	}
	return rows.Err()
}

// rowOf is an entry as the journal keeps it; l.mu is held.
func (l *ContactList) rowOf(campaign string, e *listEntry) contactRow {
	return contactRow{campaign: campaign, c: e.c, seq: e.seq, attempts: e.attempts, failed: e.failed, nextAt: e.nextAt,
		final: e.final, finalAt: e.finalAt, reached: e.reached, first: e.first, dialedAt: e.dialedAt, gone: l.entries[e.c.ID] != e}
}

// changed tells the journal about an entry; l.mu is held.
func (l *ContactList) changed(e *listEntry) {
	if l.journal != nil {
		l.journal(e)
	}
}

// markDialed records that the call to a contact handed out by Next is being placed.
func (l *ContactList) markDialed(id string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[id]; ok && e.inFlight {
		e.dialedAt = at
		l.changed(e)
	}
}

// restore puts saved entries back on the list, as they were. A call that was being placed when
// the dialer stopped has no outcome: it counts as an attempt nobody answered (retried after
// retry.no_answer, or exhausted), so the number is not dialled again sooner than that. Contacts
// never scheduled (saved with a new campaign) are added as Add does.
func (l *ContactList) restore(rows []contactRow) {
	var fresh []Contact
	l.mu.Lock()
	for _, r := range rows {
		if r.nextAt.IsZero() && r.final == "" && r.attempts == 0 && r.dialedAt.IsZero() {
			fresh = append(fresh, r.c)
			continue
		}
		if _, dup := l.entries[r.c.ID]; dup || r.c.ID == "" {
			continue
		}
		l.seq++
		e := &listEntry{c: r.c, attempts: r.attempts, failed: r.failed, nextAt: r.nextAt, final: r.final, finalAt: r.finalAt,
			reached: r.reached, first: r.first, seq: l.seq, index: -1}
		l.deadlines = l.deadlines || !r.c.Deadline.IsZero()
		l.entries[r.c.ID] = e
		if old, ok := l.byPhone[r.c.Phone]; !ok || old.final != "" {
			l.byPhone[r.c.Phone] = e
		}
		if e.final == "" && !r.dialedAt.IsZero() {
			e.attempts++
			e.failed++
			if e.first.IsZero() {
				e.first = r.dialedAt
			}
			d := l.policy.Decide(Result{Contact: e.c, At: r.dialedAt, Outcome: events.AttemptNoAnswer}, e.attempts, e.failed, l.maxAttempts(e.c))
			if d.Final != "" {
				e.final, e.finalAt = d.Final, r.dialedAt
			} else {
				e.nextAt = l.inWindow(e.c, d.RetryAt)
			}
			l.changed(e)
		}
		if e.final != "" {
			l.finals[e.final]++
			continue
		}
		heap.Push(&l.sched, e)
	}
	l.mu.Unlock()
	l.Add(fresh...)
}

// addLonger lists phone until the later of its current listing and until (zero: for ever).
func (l *DNCList) addLonger(phone string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	cur, ok := l.m[phone]
	if !ok || !cur.IsZero() && (until.IsZero() || until.After(cur)) {
		l.m[phone] = until
	}
}

// attemptSeq is the number at the end of an engine attempt id (campaign-N).
func attemptSeq(id string) int {
	n, _ := strconv.Atoi(id[strings.LastIndexByte(id, '-')+1:])
	return n
}

// campaign is the saved state of campaign id; nil when there is none (or no state file).
func (s *savedState) campaign(id string) *savedCampaign {
	if s == nil {
		return nil
	}
	return s.campaigns[id]
}

// readsList reports whether a configured campaign's list is read at start: always the first
// time; after a restart file and query lists again (an admin may have added to them; known
// contacts keep their progress), but not a stopped campaign's, nor a segment's, which is
// resolved once, when the campaign first starts.
func (sc *savedCampaign) readsList(c Campaign) bool {
	return sc == nil || sc.state != StateStopped && c.List.Source != "segment"
}

// restoreSaved starts the campaigns created over the API and puts back the do-not-call changes
// and the calls of the last two days (daily caps). A saved campaign that no longer starts is
// listed as failed with why; it does not stop the others.
func (s *Service) restoreSaved(saved *savedState) {
	ctx := context.Background()
	for _, id := range saved.api {
		sc := saved.campaigns[id]
		c := *sc.def
		c.Normalize()
		var cs []Contact
		if !sc.listed && sc.state != StateStopped {
			var err error
			if cs, err = s.listContacts(ctx, c, s.startedAt); err != nil {
				s.mu.Lock()
				s.status[id] = CampaignStatus{Campaign: c, State: "failed", Error: err.Error()}
				s.mu.Unlock()
				s.log.Error("starting campaign", "campaign", id, "error", err)
				continue
			}
			if err := s.store.saveList(ctx, id, cs); err != nil {
				// The contacts are saved with the list's progress anyway; only the next start
				// reads the list again (known contacts are ignored).
				s.log.Warn("campaign list not marked as read", "campaign", id, "err", err)
			}
		}
		s.startCampaign(c, cs, sc)
	}
	for _, d := range saved.dnc {
		list := s.gate.Company()
		if d.list == ListCampaign {
			list = s.gate.Campaign(d.campaign)
		}
		if d.listed {
			list.Add(d.phone, d.until)
		} else {
			list.Remove(d.phone)
		}
	}
	s.mu.Lock()
	file := s.fileDNC
	s.mu.Unlock()
	if file != nil {
		// The admin's file is applied last: a number it lists stays listed (a removal over the
		// API takes the number out of the file too), for the longer of the two listings.
		file.mu.RLock()
		for phone, until := range file.m {
			s.gate.Company().addLonger(phone, until)
		}
		file.mu.RUnlock()
	}
	for _, d := range saved.dials {
		s.gate.Record(Result{Contact: Contact{ID: d.contact, CustomerID: d.customer, Phone: d.phone, CampaignID: d.campaign},
			At: d.at, Outcome: events.AttemptNoAnswer})
	}
	s.log.Info("dialer state restored", "path", s.store.db.Path(), "campaigns", len(saved.campaigns), "created_over_api", len(saved.api),
		"do_not_call_changes", len(saved.dnc), "calls_last_48h", len(saved.dials))
}

// saveAttempt queues what an attempt changes besides its list entry (the campaign's attempt
// number, a customer's do-not-call request) and saves at once after a conversation or an
// abandoned call: those decide whether and when the number may be called again.
func (s *Service) saveAttempt(campaign string, d events.DialAttempt, seq int) {
	s.store.noteProgress(campaign, seq, time.Time{})
	if d.Disposition == DispositionDoNotCall {
		s.store.noteDNC(dncRow{list: ListCompany, phone: d.Phone, listed: true, reason: "asked on call " + d.AttemptID, by: "customer", at: d.EndedAt})
	}
	if d.Outcome == events.AttemptConnected || d.Outcome == events.AttemptDropped {
		_ = s.store.commit(context.Background()) // a failure is logged, and the batch is kept for the next commit
	}
}

// unlist saves the removal of phone from the company list; it reports whether a saved entry
// listed it.
func (st *store) unlist(ctx context.Context, phone, by string, at time.Time) (bool, error) {
	var was bool
	err := st.db.Update(ctx, func(tx *statedb.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT listed FROM dialer_dnc WHERE list = ? AND campaign = '' AND phone = ?", ListCompany, phone).Scan(&was)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return putDNC(ctx, tx, dncRow{list: ListCompany, phone: phone, by: by, at: at})
	})
	if err != nil {
		return false, fmt.Errorf("%w: %w", ErrNotSaved, err)
	}
	return was, nil
}
