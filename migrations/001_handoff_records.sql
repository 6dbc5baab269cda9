-- Handoff records on an existing Supabase/PostgreSQL database that already has the design document's
-- `conversations`, `messages` and `customers` tables (handoff-design.md, "Modelo de Dados").
-- Run once, before pointing MIRROR_DATABASE_URL at this database; tables that do not exist yet are created by
-- the mirror itself.

-- 1. Exactly as the design document ("Tabela conversations (Alterações)").
ALTER TABLE conversations
ADD COLUMN IF NOT EXISTS chatwoot_conversation_id INTEGER,
ADD COLUMN IF NOT EXISTS handoff_status VARCHAR DEFAULT 'ai',
ADD COLUMN IF NOT EXISTS handoff_at TIMESTAMPTZ,
ADD COLUMN IF NOT EXISTS handoff_reason TEXT;

CREATE INDEX IF NOT EXISTS idx_conversations_chatwoot_id
ON conversations(chatwoot_conversation_id);

CREATE INDEX IF NOT EXISTS idx_conversations_handoff_status
ON conversations(handoff_status)
WHERE deleted_at IS NULL;

ALTER TABLE conversations
ADD CONSTRAINT chk_handoff_status
CHECK (handoff_status IN ('ai', 'human', 'pending'));

-- 2. Exactly as the design document ("Tabela messages (Alterações)").
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM pg_enum
        WHERE enumlabel = 'human'
        AND enumtypid = (
            SELECT oid FROM pg_type WHERE typname = 'message_sender_type'
        )
    ) THEN
        ALTER TYPE message_sender_type ADD VALUE 'human';
    END IF;
END $$;

-- 3. What the sync also writes ("Campos Sincronizados": status, assigned_to) and the ledger's own columns:
-- `hands` adds `closed` to handoff_status's three values, `chatwoot_updated_at` orders late webhook deliveries.
ALTER TABLE conversations
ADD COLUMN IF NOT EXISTS status VARCHAR,
ADD COLUMN IF NOT EXISTS assigned_to INTEGER,
ADD COLUMN IF NOT EXISTS hands VARCHAR CHECK (hands IN ('ai', 'human', 'pending', 'closed')),
ADD COLUMN IF NOT EXISTS chatwoot_updated_at DOUBLE PRECISION;

ALTER TABLE messages
ADD COLUMN IF NOT EXISTS chatwoot_message_id INTEGER,
ADD COLUMN IF NOT EXISTS chatwoot_conversation_id INTEGER;
CREATE UNIQUE INDEX IF NOT EXISTS idx_messages_chatwoot_message_id ON messages(chatwoot_message_id);

ALTER TABLE customers
ADD COLUMN IF NOT EXISTS chatwoot_contact_id INTEGER;
CREATE UNIQUE INDEX IF NOT EXISTS idx_customers_chatwoot_contact_id ON customers(chatwoot_contact_id);
