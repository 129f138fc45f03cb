package io.pgguard.agentit;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An entity for Hibernate's schema tool, whose table the test fills beforehand. */
@Entity
@Table(name = "agent_widget")
public class Widget {
    @Id
    public Long id;
    public String name;
}
