package events

// Topic names, without the configurable prefix.
const (
	TopicCalls         = "calls"
	TopicAgentStates   = "agent_states"
	TopicDialAttempts  = "dial_attempts"
	TopicSMS           = "sms"
	TopicSurveys       = "surveys"
	TopicComplaints    = "complaints"
	TopicQAEvaluations = "qa_evaluations"
	TopicRecordings    = "recordings"
	TopicCustomers     = "customers"
	TopicPolicies      = "policies"
	TopicClaims        = "claims"
	TopicDeadLetter    = "dead_letter"
)

// EventTopics are the topics ingest consumes: every topic but the dead letters.
var EventTopics = []string{
	TopicCalls, TopicAgentStates, TopicDialAttempts, TopicSMS, TopicSurveys, TopicComplaints,
	TopicQAEvaluations, TopicRecordings, TopicCustomers, TopicPolicies, TopicClaims,
}

// spec ties a type to its topic and to a constructor of its empty payload.
type spec struct {
	topic  string
	new    func() Payload
	decode func([]byte) (Event, error)
}

func specOf(t Type) (spec, bool) {
	switch t {
	case TypeCallRecord:
		return spec{TopicCalls, func() Payload { return &CallRecord{} }, decodeAs[CallRecord]}, true
	case TypeCallLifecycle:
		return spec{TopicCalls, func() Payload { return &CallLifecycle{} }, decodeAs[CallLifecycle]}, true
	case TypeCallbackRequested:
		return spec{TopicCalls, func() Payload { return &CallbackRequested{} }, decodeAs[CallbackRequested]}, true
	case TypeAgentState:
		return spec{TopicAgentStates, func() Payload { return &AgentState{} }, decodeAs[AgentState]}, true
	case TypeDialAttempt:
		return spec{TopicDialAttempts, func() Payload { return &DialAttempt{} }, decodeAs[DialAttempt]}, true
	case TypeSMS:
		return spec{TopicSMS, func() Payload { return &SMS{} }, decodeAs[SMS]}, true
	case TypeSurveyResponse:
		return spec{TopicSurveys, func() Payload { return &SurveyResponse{} }, decodeAs[SurveyResponse]}, true
	case TypeComplaint:
		return spec{TopicComplaints, func() Payload { return &Complaint{} }, decodeAs[Complaint]}, true
	case TypeQAEvaluation:
		return spec{TopicQAEvaluations, func() Payload { return &QAEvaluation{} }, decodeAs[QAEvaluation]}, true
	case TypeRecordingStored:
		return spec{TopicRecordings, func() Payload { return &RecordingStored{} }, decodeAs[RecordingStored]}, true
	case TypeRecordingDeleted:
		return spec{TopicRecordings, func() Payload { return &RecordingDeleted{} }, decodeAs[RecordingDeleted]}, true
	case TypeRecordingAnalysis:
		return spec{TopicRecordings, func() Payload { return &RecordingAnalysis{} }, decodeAs[RecordingAnalysis]}, true
	case TypeRecordingAccessed:
		return spec{TopicRecordings, func() Payload { return &RecordingAccessed{} }, decodeAs[RecordingAccessed]}, true
	case TypeCustomer:
		return spec{TopicCustomers, func() Payload { return &Customer{} }, decodeAs[Customer]}, true
	case TypePolicy:
		return spec{TopicPolicies, func() Payload { return &Policy{} }, decodeAs[Policy]}, true
	case TypeClaim:
		return spec{TopicClaims, func() Payload { return &Claim{} }, decodeAs[Claim]}, true
	}
	return spec{}, false
}

// Types lists every event type, in contract order.
func Types() []Type {
	return []Type{
		TypeCallRecord, TypeCallLifecycle, TypeCallbackRequested, TypeAgentState, TypeDialAttempt, TypeSMS,
		TypeSurveyResponse, TypeComplaint, TypeQAEvaluation, TypeRecordingStored, TypeRecordingDeleted,
		TypeRecordingAnalysis, TypeRecordingAccessed, TypeCustomer, TypePolicy, TypeClaim,
	}
}

// TopicOf is the topic (without prefix) of an event type, "" for an unknown type.
func TopicOf(t Type) string {
	s, _ := specOf(t)
	return s.topic
}

// Zero is the zero payload of a type, for code that maps payload fields by reflection (ingest).
func Zero(t Type) (Payload, bool) {
	s, ok := specOf(t)
	if !ok {
		return nil, false
	}
	return deref(s.new()), true
}
