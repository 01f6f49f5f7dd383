package ingest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/google/uuid"
	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/seed-1c4692e8/hotline/internal/chdb"
)

// A topic deleted and created again under the same name (or a broker that lost its data) starts
// its offsets over at 0, under a new topic id. Skipping by the offsets ClickHouse holds would
// then drop the new messages as "already stored". So each partition ingest reads is recorded
// in ingest_topic_epochs with the broker's topic id, and at every assignment ingest compares:
// a new topic id, or a partition that now ends before what ClickHouse holds of it, is refused
// (not read, /healthz red, hotline_ingest_topic_refused, an error in the log) until someone
// accepts it with `hotline ingest accept-topic`. Refusing is the safe default: only a person
// knows whether the new topic carries new events or a copy of old ones, or whether ingest was
// pointed at the wrong cluster.
//
// Accepting starts a new epoch: the partition is read from its start, and its rows are stored
// with kafka_offset = offset_base + the Kafka offset, offset_base lying past every offset stored
// before, so the exactly-once bookkeeping by stored offsets goes on unchanged.

// epochsTable records the topic id and offset base of each partition's epochs.
const epochsTable = "ingest_topic_epochs"

// epoch is one row of epochsTable.
type epoch struct {
	n       uint32
	topicID string
	base    int64
}

// partitionState is what the broker says of a partition now.
type partitionState struct {
	topicID string
	end     int64 // high watermark: the offset the next message will get
}

// brokerState reads the topic ids and partition ends of topics from the broker. kafka-go does
// not expose topic ids; franz-go's protocol messages do.
func brokerState(ctx context.Context, brokers []string, topics []string) (map[position]partitionState, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return nil, fmt.Errorf("connecting to kafka for topic ids: %w", err)
	}
	defer cl.Close()
	meta := kmsg.NewPtrMetadataRequest()
	for _, t := range topics {
		mt := kmsg.NewMetadataRequestTopic()
		mt.Topic = kmsg.StringPtr(t)
		meta.Topics = append(meta.Topics, mt)
	}
	mresp, err := meta.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("reading topic metadata: %w", err)
	}
	ids := map[string]string{}
	list := kmsg.NewPtrListOffsetsRequest()
	list.ReplicaID = -1
	for _, t := range mresp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			return nil, fmt.Errorf("reading metadata of topic %s: %w", *t.Topic, err)
		}
		ids[*t.Topic] = uuid.UUID(t.TopicID).String()
		lt := kmsg.NewListOffsetsRequestTopic()
		lt.Topic = *t.Topic
		for _, p := range t.Partitions {
			lp := kmsg.NewListOffsetsRequestTopicPartition()
			lp.Partition = p.Partition
			lp.Timestamp = -1 // the end
			lt.Partitions = append(lt.Partitions, lp)
		}
		list.Topics = append(list.Topics, lt)
	}
	lresp, err := list.RequestWith(ctx, cl)
	if err != nil {
		return nil, fmt.Errorf("reading partition ends: %w", err)
	}
	out := map[position]partitionState{}
	for _, t := range lresp.Topics {
		for _, p := range t.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return nil, fmt.Errorf("reading the end of %s partition %d: %w", t.Topic, p.Partition, err)
			}
			out[position{Topic: t.Topic, Partition: int(p.Partition)}] = partitionState{topicID: ids[t.Topic], end: p.Offset}
		}
	}
	return out, nil
}

// latestEpochs reads the latest epoch of each partition of the topics.
func latestEpochs(ctx context.Context, conn driver.Conn, topics []string) (map[position]epoch, error) {
	rows, err := conn.Query(ctx, "SELECT topic, partition, max(epoch), argMax(topic_id, epoch), argMax(offset_base, epoch) FROM "+epochsTable+
		" WHERE has(?, topic) GROUP BY topic, partition", topics)
	if err != nil {
		return nil, fmt.Errorf("reading topic epochs: %w", err)
	}
	defer rows.Close()
	out := map[position]epoch{}
	for rows.Next() {
		var (
			topic, id string
			part      uint16
			n         uint32
			base      uint64
		)
		if err := rows.Scan(&topic, &part, &n, &id, &base); err != nil {
			return nil, fmt.Errorf("reading topic epochs: %w", err)
		}
		out[position{Topic: topic, Partition: int(part)}] = epoch{n: n, topicID: id, base: int64(base)}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading topic epochs: %w", err)
	}
	return out, nil
}

func recordEpochs(ctx context.Context, conn driver.Conn, rows map[position]epoch) error {
	if len(rows) == 0 {
		return nil
	}
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+epochsTable+" (topic, partition, epoch, topic_id, offset_base)")
	if err != nil {
		return fmt.Errorf("recording topic epochs: %w", err)
	}
	defer batch.Close()
	for p, e := range rows {
		if err := batch.Append(p.Topic, uint16(p.Partition), e.n, e.topicID, uint64(e.base)); err != nil {
			return fmt.Errorf("recording topic epochs: %w", err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("recording topic epochs: %w", err)
	}
	return nil
}

// maxStored is the highest offset ClickHouse holds of a partition over every table, -1 if none.
func maxStored(stored map[string]map[position]int64, p position) int64 {
	out := int64(-1)
	for _, byPart := range stored {
		if off, ok := byPart[p]; ok {
			out = max(out, off)
		}
	}
	return out
}

// checkPartition decides whether a partition may be read: its base, or why it is refused.
// known is false when no epoch was recorded yet (the first read of the partition).
func checkPartition(p position, now partitionState, e epoch, known bool, stored int64) (base int64, refused string) {
	switch {
	case !known && stored >= now.end:
		return 0, fmt.Sprintf("partition %d ends at offset %d but ClickHouse holds offsets up to %d of it: the topic was recreated or the broker lost messages",
			p.Partition, now.end, stored)
	case !known:
		return 0, ""
	case e.topicID != now.topicID:
		return 0, fmt.Sprintf("recreated: topic id %s, was %s when its stored rows were read", now.topicID, e.topicID)
	case stored-e.base >= now.end:
		return 0, fmt.Sprintf("partition %d ends at offset %d but ClickHouse holds offsets up to %d of it: the broker lost messages",
			p.Partition, now.end, stored-e.base)
	}
	return e.base, ""
}

// assignedPartition is a partition of a generation, once checked.
type assignedPartition struct {
	position       // Offset: where to start reading (a Kafka offset, or kafka-go's FirstOffset)
	base     int64 // added to Kafka offsets to give stored offsets
}

// checkAssigned checks every assigned partition against the broker and the recorded epochs,
// records the first epoch of partitions seen for the first time, and splits them into those
// to read and those refused, with the reason.
func (s *Service) checkAssigned(ctx context.Context, conn driver.Conn, assigned []position, stored map[string]map[position]int64) ([]assignedPartition, map[position]string, error) {
	topicSet := map[string]bool{}
	for _, p := range assigned {
		topicSet[p.Topic] = true
	}
	topics := make([]string, 0, len(topicSet))
	for t := range topicSet {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	state, err := brokerState(ctx, s.cfg.Brokers, topics)
	if err != nil {
		return nil, nil, err
	}
	epochs, err := latestEpochs(ctx, conn, topics)
	if err != nil {
		return nil, nil, err
	}
	var (
		read    []assignedPartition
		refused = map[position]string{}
		first   = map[position]epoch{}
	)
	for _, a := range assigned {
		key := position{Topic: a.Topic, Partition: a.Partition}
		now, ok := state[key]
		if !ok {
			return nil, nil, fmt.Errorf("checking %s partition %d: the broker does not list it", a.Topic, a.Partition)
		}
		e, known := epochs[key]
		st := maxStored(stored, key)
		base, why := checkPartition(key, now, e, known, st)
		if why != "" {
			refused[a] = why
			continue
		}
		if !known {
			first[key] = epoch{n: 0, topicID: now.topicID, base: 0}
		}
		// Nothing stored in this epoch yet: read the partition from its start, whatever offset
		// the group committed (it may belong to the topic that was there before).
		if st < base {
			a.Offset = kafka.FirstOffset
		}
		read = append(read, assignedPartition{position: a, base: base})
	}
	if err := recordEpochs(ctx, conn, first); err != nil {
		return nil, nil, err
	}
	return read, refused, nil
}

// AcceptedPartition is a partition's new epoch, as AcceptTopics recorded it.
type AcceptedPartition struct {
	Topic      string
	Partition  int
	Epoch      uint32
	TopicID    string
	OffsetBase int64
}

// AcceptTopics lets ingest read topics it refuses: each refused partition starts a new epoch
// under the topic's current id, numbered past every offset stored of it, and is read from its
// start. Accepting a topic that is not refused is an error. It
// is what `hotline ingest accept-topic` runs; a running ingest picks the new epochs up.
func AcceptTopics(ctx context.Context, cfg Config, topics []string) ([]AcceptedPartition, error) {
	cfg.setDefaults()
	if len(topics) == 0 {
		return nil, errors.New("accepting topics: none named")
	}
	conn, err := chdb.Open(ctx, cfg.ClickHouse)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	schemas, err := loadSchemas(ctx, conn)
	if err != nil {
		return nil, err
	}
	state, err := brokerState(ctx, cfg.Brokers, topics)
	if err != nil {
		return nil, fmt.Errorf("accepting topics: %w", err)
	}
	var parts []position
	for p := range state {
		parts = append(parts, p)
	}
	sort.Slice(parts, func(i, j int) bool {
		return parts[i].Topic < parts[j].Topic || parts[i].Topic == parts[j].Topic && parts[i].Partition < parts[j].Partition
	})
	stored, err := storedOffsets(ctx, conn, schemas, parts)
	if err != nil {
		return nil, err
	}
	epochs, err := latestEpochs(ctx, conn, topics)
	if err != nil {
		return nil, err
	}
	// Only refused partitions get a new epoch: a partition read as it is goes on as it is.
	next := map[position]epoch{}
	var out []AcceptedPartition
	for _, p := range parts {
		e, known := epochs[p]
		st := maxStored(stored, p)
		if _, why := checkPartition(p, state[p], e, known, st); why == "" {
			continue
		}
		n := uint32(0)
		if known {
			n = e.n + 1
		}
		next[p] = epoch{n: n, topicID: state[p].topicID, base: max(st+1, e.base)}
		out = append(out, AcceptedPartition{Topic: p.Topic, Partition: p.Partition, Epoch: n, TopicID: next[p].topicID, OffsetBase: next[p].base})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("accepting topics %v: none of their partitions is refused (topic ids and offsets match what ClickHouse holds); nothing to accept", topics)
	}
	return out, recordEpochs(ctx, conn, next)
}

// refusedRecheck is how often refused partitions are looked at again for an acceptance.
const refusedRecheck = 5 * time.Second

// startReaders starts a reader per partition to read, and for refused partitions reports them
// and looks again every refusedRecheck, starting their readers once accepted. items is closed
// when every reader has stopped.
func (s *Service) startReaders(ctx context.Context, toRead []assignedPartition, refused map[position]string, stored map[string]map[position]int64, items chan<- []item, lag *lagTracker) {
	var readers sync.WaitGroup
	start := func(p assignedPartition) {
		readers.Add(1)
		go func() {
			defer readers.Done()
			s.readPartition(ctx, p.position, p.base, items, lag)
		}()
	}
	for _, p := range toRead {
		start(p)
	}
	s.reportRefused(refused)
	if len(refused) > 0 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for len(refused) > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(refusedRecheck):
				}
				var parts []position
				for p := range refused {
					parts = append(parts, p)
				}
				conn, err := s.clickhouse(ctx)
				if err != nil {
					continue
				}
				accepted, still, err := s.checkAssigned(ctx, conn, parts, stored)
				if err != nil {
					s.log.Warn("looking again at refused topics", "err", err)
					continue
				}
				for _, p := range accepted {
					s.log.Info("reading accepted partition", "topic", p.Topic, "partition", p.Partition, "offset_base", p.base)
					start(p)
				}
				refused = still
				s.reportRefused(refused)
			}
		}()
	}
	go func() {
		readers.Wait()
		close(items)
	}()
}

// reportRefused makes the refused topics the ones /healthz and /metrics name, and logs why.
func (s *Service) reportRefused(refused map[position]string) {
	byTopic := map[string]string{}
	for p, why := range refused {
		if _, seen := byTopic[p.Topic]; !seen {
			byTopic[p.Topic] = why
		}
	}
	for topic, why := range byTopic {
		if s.health.refuse(topic, why+"; not read until accepted (hotline ingest accept-topic "+topic+")") {
			s.log.Error("refusing to read a topic: its offsets start over, so its messages would be skipped as already stored. "+
				"If it holds new events, accept it: hotline ingest accept-topic "+topic+" (it is then read from its start; see docs/ingest-operations.md)",
				"topic", topic, "reason", why)
		}
	}
	s.health.keepRefused(byTopic)
}
