// Package kafkaadmin creates hotline's topics, so consumers find every partition from the start
// instead of depending on auto-creation.
package kafkaadmin

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/segmentio/kafka-go"
)

// EnsureTopics creates the topics that do not exist yet with the given partition count.
// and replication factor (1 for a single broker). Existing topics are left as they are.
func EnsureTopics(ctx context.Context, brokers []string, topics []string, partitions, replication int) error {
	if len(brokers) == 0 {
		return errors.New("ensuring topics: no brokers")
	}
	conn, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", brokers[0])
	if err != nil {
		return fmt.Errorf("ensuring topics: dialing %s: %w", brokers[0], err)
	}
	defer conn.Close()
	controller, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("ensuring topics: finding the controller: %w", err)
	}
	cc, err := (&kafka.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(controller.Host, strconv.Itoa(controller.Port)))
	if err != nil {
		return fmt.Errorf("ensuring topics: dialing controller: %w", err)
	}
	defer cc.Close()
	cfgs := make([]kafka.TopicConfig, len(topics))
	for i, t := range topics {
		cfgs[i] = kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: replication}
	}
	if err := cc.CreateTopics(cfgs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return fmt.Errorf("ensuring topics: creating %d topics: %w", len(topics), err)
	}
	return waitForLeaders(ctx, conn, topics)
}

// waitForLeaders returns once every partition of the topics has a leader: a producer that
// writes to a topic created a moment ago otherwise gets "Unknown Topic Or Partition".
func waitForLeaders(ctx context.Context, conn *kafka.Conn, topics []string) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		parts, err := conn.ReadPartitions(topics...)
		ready := err == nil
		seen := map[string]bool{}
		for _, p := range parts {
			seen[p.Topic] = true
			if p.Leader.ID < 0 || p.Leader.Host == "" {
				ready = false
			}
		}
		if ready && len(seen) == len(topics) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ensuring topics: partitions of %d topics still without a leader after 30s (last error: %v)", len(topics), err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
