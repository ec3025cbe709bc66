package tools

import "github.com/stream-mcp/stream-mcp/internal/schema"

// answerTarget is the most bytes a tool lets its default structured
// answer grow to when it fits one to schema.AnswerBudget: the rest of the
// budget is room for the text form (a headline and YAML indentation).
const answerTarget = schema.AnswerBudget - 768
