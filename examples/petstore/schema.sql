-- The table ctx.Records("petstore", "pets") uses on sqlite, postgres and mysql/mariadb. edge creates it on
-- first use with exactly this statement; create it yourself to add the index or to manage it with migrations.
CREATE TABLE IF NOT EXISTS pets (
    id VARCHAR(128) NOT NULL PRIMARY KEY,
    status VARCHAR(128),
    data TEXT NOT NULL,
    created_at VARCHAR(40) NOT NULL,
    updated_at VARCHAR(40) NOT NULL
);
CREATE INDEX idx_pets_status ON pets (status);
