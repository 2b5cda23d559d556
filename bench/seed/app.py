"""The seed plan's stack, for a side-by-side benchmark (bench/seed/README.md).

A minimal FastAPI service following the same task contract as Brisk's Worker for the
benchmarked operations: bearer JWTs verified with PyJWT's PyJWKClient (its key cache on)
against Brisk's own key set, SQLAlchemy with a connection pool straight to the same
PostgreSQL database, pydantic models for bodies and answers. It is a yardstick, not a
product: only the routes the load benchmark drives.
"""

import os
import uuid
from datetime import datetime, timezone
from typing import Literal

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, Response
from pydantic import BaseModel, Field
from sqlalchemy import create_engine, text

DATABASE_URL = os.environ["SEED_DATABASE_URL"]
JWKS_URL = os.environ["SEED_JWKS_URL"]
ISSUER = os.environ["SEED_ISSUER"]
AUDIENCE = os.environ["SEED_AUDIENCE"]

engine = create_engine(DATABASE_URL, pool_size=10, max_overflow=0, pool_pre_ping=False)
jwks = jwt.PyJWKClient(JWKS_URL, cache_keys=True, lifespan=600)

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

Priority = Literal["none", "low", "medium", "high"]


class Task(BaseModel):
    id: str
    userId: str
    title: str
    description: str
    completed: bool
    completedAt: str | None
    priority: Priority
    dueAt: str | None
    tags: list[str]
    createdAt: str
    updatedAt: str
    version: int


class CreateTask(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=1000)
    completed: bool = False
    priority: Priority = "none"
    dueAt: datetime | None = None
    tags: list[str] = Field(default_factory=list, max_length=10)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_task(row) -> Task:
    return Task(
        id=str(row.id),
        userId=row.user_id,
        title=row.title,
        description=row.description,
        completed=row.completed,
        completedAt=iso(row.completed_at),
        priority=row.priority,
        dueAt=iso(row.due_at),
        tags=list(row.tags),
        createdAt=iso(row.created_at),
        updatedAt=iso(row.updated_at),
        version=row.version,
    )


def require_user(user_id: str, authorization: str = Header(default="")) -> str:
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(401, "invalid_token")
    try:
        key = jwks.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            issuer=ISSUER,
            audience=AUDIENCE,
            leeway=30,
            options={"require": ["sub", "exp", "iat"]},
        )
    except jwt.PyJWTError:
        raise HTTPException(401, "invalid_token")
    if claims["sub"] != user_id:
        raise HTTPException(403, "forbidden")
    return user_id


COLUMNS = "id, user_id, title, description, completed, completed_at, priority, due_at, tags, created_at, updated_at, version"


@app.get("/api/health")
def health():
    return {"status": "ok"}


@app.get("/api/{user_id}/tasks", response_model=list[Task])
def list_tasks(
    response: Response,
    user_id: str = Depends(require_user),
    status: Literal["all", "pending", "completed"] = "all",
    sort: Literal["created"] = "created",
    order: Literal["asc", "desc"] = "desc",
    limit: int = 50,
):
    if not 1 <= limit <= 100:
        raise HTTPException(400, "invalid_parameter")
    condition = "user_id = :user_id"
    if status != "all":
        condition += " AND completed = :completed"
    direction = "ASC" if order == "asc" else "DESC"
    params = {"user_id": user_id, "completed": status == "completed", "limit": limit}
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                f"SELECT {COLUMNS} FROM tasks WHERE {condition} "
                f"ORDER BY created_at {direction}, id {direction} LIMIT :limit"
            ),
            params,
        ).all()
        total = connection.execute(
            text(f"SELECT count(*) FROM (SELECT FROM tasks WHERE {condition} LIMIT 1001) AS capped"), params
        ).scalar_one()
    response.headers["X-Total-Count"] = "1000+" if total > 1000 else str(total)
    return [to_task(row) for row in rows]


@app.post("/api/{user_id}/tasks", response_model=Task, status_code=201)
def create_task(body: CreateTask, response: Response, user_id: str = Depends(require_user)):
    task_id = str(uuid.uuid4())
    with engine.begin() as connection:
        seq = connection.execute(
            text(
                "INSERT INTO task_sequences (user_id, seq) VALUES (:user_id, 1) "
                "ON CONFLICT (user_id) DO UPDATE SET seq = task_sequences.seq + 1 RETURNING seq"
            ),
            {"user_id": user_id},
        ).scalar_one()
        row = connection.execute(
            text(
                "INSERT INTO tasks (id, user_id, title, description, completed, completed_at, priority, due_at, tags, seq) "
                "VALUES (:id, :user_id, :title, :description, :completed, CASE WHEN :completed THEN now() END, "
                "CAST(:priority AS task_priority), :due_at, :tags, :seq) "
                f"RETURNING {COLUMNS}"
            ),
            {
                "id": task_id,
                "user_id": user_id,
                "title": body.title.strip(),
                "description": body.description,
                "completed": body.completed,
                "priority": body.priority,
                "due_at": body.dueAt,
                "tags": body.tags,
                "seq": seq,
            },
        ).one()
    task = to_task(row)
    response.headers["ETag"] = f'"{task.version}"'
    response.headers["Location"] = f"/api/{user_id}/tasks/{task.id}"
    return task


@app.patch("/api/{user_id}/tasks/{task_id}/complete", response_model=Task)
def toggle_task(task_id: uuid.UUID, response: Response, user_id: str = Depends(require_user)):
    with engine.begin() as connection:
        seq = connection.execute(
            text(
                "INSERT INTO task_sequences (user_id, seq) VALUES (:user_id, 1) "
                "ON CONFLICT (user_id) DO UPDATE SET seq = task_sequences.seq + 1 RETURNING seq"
            ),
            {"user_id": user_id},
        ).scalar_one()
        row = connection.execute(
            text(
                "UPDATE tasks SET completed = NOT completed, "
                "completed_at = CASE WHEN NOT completed THEN coalesce(completed_at, now()) END, "
                "version = version + 1, updated_at = now(), seq = :seq "
                f"WHERE user_id = :user_id AND id = :id RETURNING {COLUMNS}"
            ),
            {"user_id": user_id, "id": task_id, "seq": seq},
        ).one_or_none()
        if row is None:
            connection.rollback()
            raise HTTPException(404, "task_not_found")
    task = to_task(row)
    response.headers["ETag"] = f'"{task.version}"'
    return task
