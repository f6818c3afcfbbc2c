// conversation-summary: one conversation_summaries row per summary job (id derived from the job id), from
// the messages' processed text. Retry / duplicate: the insert is keyed, so a second run writes nothing.
import { configuredChatProviders, type ChatProviders } from '../chat/providers.ts';
import { Conversation } from '../entities/conversation.entity.ts';
import { ConversationSummary } from '../entities/conversation-summary.entity.ts';
import { Message } from '../entities/message.entity.ts';
import { deterministicUuid } from '../lib/ids.ts';
import { redactPii } from '../domain/pii.ts';
import type { conversationSummary } from '../queues/conversation-summary.ts';
import type { Payload } from '../queues/define-job.ts';
import type { JobContext } from './context.ts';

/** A processor bound to providers (tests pass their own). */
export const conversationSummaryProcessor =
  (providers: () => ChatProviders) => async (p: Payload<typeof conversationSummary>, ctx: JobContext) => {
    const conversation = await ctx.em.findOne(Conversation, p.conversation_id);
    if (!conversation) return { skipped: 'conversation not found' };
    const messages = await ctx.em.find(Message, { conversation }, { orderBy: { createdAt: 'asc', id: 'asc' } });
    const { draft, summarizer } = await providers().summarizer.summarize(
      // A message the extraction job has not reached yet is fully redacted here: a summary never holds raw PII.
      messages.map((m) => ({
        role: m.role,
        text: m.processedContent ?? redactPii(m.content).text,
        crisisIndicators: m.crisisIndicators,
      })),
    );
    const id = deterministicUuid(`conversation-summary:${ctx.jobId}`);
    const now = new Date();
    await ctx.em
      .createQueryBuilder(ConversationSummary)
      .insert({
        id,
        conversation: conversation.id,
        user: conversation.user.id,
        summary: draft.summary,
        keyTopics: draft.keyTopics,
        emotionalThemes: draft.emotionalThemes,
        actionItems: draft.actionItems,
        sentimentOverall: draft.sentimentOverall,
        crisisIndicators: draft.crisisIndicators,
        therapeuticProgress: draft.therapeuticProgress,
        summaryMetadata: {
          summarizer,
          message_count: messages.length,
          unprocessed_messages: messages.filter((m) => !m.memoryExtracted).length,
        },
        createdAt: now,
        updatedAt: now,
      })
      .onConflict('id')
      .ignore()
      .execute();
    ctx.log.info(
      { conversationId: conversation.id, summaryId: id, messages: messages.length },
      'conversation summarised',
    );
    return { summaryId: id };
  };

export const processConversationSummary = conversationSummaryProcessor(configuredChatProviders);
