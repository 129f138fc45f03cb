package io.pgguard.spring.boot4.shop;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A JPA entity on the table the migrations made. */
@Entity
@Table(name = "customers")
public class Customer {

    @Id
    private Long id;
    private String name;

    protected Customer() {
    }

    public Customer(Long id, String name) {
        this.id = id;
        this.name = name;
    }

    public Long getId() {
        return id;
    }

    public String getName() {
        return name;
    }
}
